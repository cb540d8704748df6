/**
 * The sidebar bundle in Chromium: built with esbuild, loaded in a webview-like page (nonce-only
 * CSP, csp-nonce meta) with a stub acquireVsCodeApi; driven by host messages; its buttons clicked
 * (and pressed from the keyboard); what it shows and posts back asserted; screenshots to
 * test-artifacts/ (sidebar*.png). No CSP violation and no console error allowed.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type { SidebarCommand, SidebarState } from '../../src/protocol/webview';
import { launchChromium, canvasInkPixels, waitForPageCondition, type ChromiumSession } from './helpers/chromium';
import { buildWebviewBundle, webviewHarnessHtml, postToWebview, postedMessages } from './helpers/webview';

const ROOT = resolve(__dirname, '..', '..');
const TIMEOUT = 120_000;
let bundleJs = '';
// What VS Code injects into a webview (a subset of the Dark Modern theme), so the screenshot looks real.
const THEME = `:root { --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-foreground: #cccccc;
  --vscode-descriptionForeground: #9d9d9d; --vscode-sideBar-background: #181818; --vscode-editorWarning-foreground: #cca700;
  --vscode-inputValidation-warningBackground: #352a05; --vscode-errorForeground: #f85149; --vscode-focusBorder: #0078d4;
  --vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff; --vscode-button-secondaryBackground: #313131;
  --vscode-button-secondaryForeground: #cccccc; --vscode-input-background: #313131; --vscode-input-foreground: #cccccc;
  --vscode-dropdown-background: #313131; --vscode-dropdown-foreground: #cccccc; --vscode-dropdown-border: #3c3c3c;
  --vscode-widget-border: #313131; --vscode-progressBar-background: #0078d4; --vscode-badge-background: #616161;
  --vscode-badge-foreground: #f8f8f8; --vscode-testing-iconPassed: #73c991; }
body { background: var(--vscode-sideBar-background); }`;
const css = THEME + '\n' + readFileSync(join(ROOT, 'media/sidebar.css'), 'utf8');

const PARAMS = { "reflection.targetHints": 20, "reflection.maxCalls": 3000, "agent.steps": 5000, "agent.preset": 'bandit' as const, "evaluation.testSample": 200 };

function state(over: Partial<SidebarState> = {}): SidebarState {
  return {
    trusted: true,
    workspaceOpen: true,
    datasets: [
      { id: '/ws/examples/re2llm.config.json', label: 'examples (config)', path: 'examples/re2llm.config.json', kind: 'config' },
      { id: '/ws/data/ml-100k', label: 'ml-100k', path: 'data/ml-100k', kind: 'folder' },
    ],
    selectedDataset: '/ws/examples/re2llm.config.json',
    endpoint: { baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1:8b', keySource: 'secret', simulated: false, keyNeeded: true, ignored: [] },
    kb: { path: '/ws/examples/re2llm/hetrec-mini.hints.json', hints: 21, enabled: 19, stale: true, staleReason: '1 added or enabled (h-3f2a); 2 removed or disabled (h-01, h-02)', errors: 1 },
    params: PARAMS,
    warnings: [],
    paramLimits: { 'reflection.targetHints': { minimum: 1 }, 'reflection.maxCalls': { minimum: 1 }, 'agent.steps': { minimum: 1 }, 'evaluation.testSample': { minimum: 0 } },
    jobs: [
      {
        id: 'train-1', kind: 'train', label: 'Train agent on examples', status: 'running', done: 1200, total: 5000, message: 'PPO update 38', calls: 412, cost: 0.0123, reward: 0.041,
        curve: Array.from({ length: 24 }, (_, i) => ({ step: (i + 1) * 50, meanReward: 0.05 * (1 - Math.exp(-i / 6)) + 0.004 * Math.sin(i), ...(i % 6 === 5 ? { validationReward: 0.045 * (1 - Math.exp(-i / 6)) } : {}) })),
      },
      { id: 'train-0', kind: 'train', label: 'Train agent on examples', status: 'interrupted', message: 'Interrupted by a window reload. Resume continues from the last checkpoint.', runDir: '/ws/re2llm-runs/r0', resumable: true },
      { id: 'reflect-0', kind: 'reflect', label: 'Reflect on examples', status: 'done', message: '12 hints accepted; KB written' },
    ],
    runs: [{ id: '2026-11-26T2210-bandit', label: '★ bandit preset, 5k steps', hasResults: true }, { id: '2026-11-26T2300-paper', label: '2026-11-26T2300-paper', hasResults: false }],
    ...over,
  };
}

before(async () => {
  bundleJs = await buildWebviewBundle(join(ROOT, 'webview/sidebar/main.ts'));
});

async function open(s: ChromiumSession, initialState?: unknown): Promise<Page> {
  const page = s.page;
  await page.goto('about:blank');
  await page.setContent(webviewHarnessHtml({ bundleJs, css, initialState, bodyHtml: '<div id="root"></div>' }));
  await waitForPageCondition(page, "document.body.dataset.ready === 'true'");
  return page;
}

const posted = (page: Page) => postedMessages<SidebarCommand>(page);
const visible = (page: Page, testId: string) => page.locator(`[data-testid="${testId}"]`).isVisible();
const text = (page: Page, testId: string) => page.locator(`[data-testid="${testId}"]`).innerText();

async function lastPosted(page: Page, n = 1): Promise<SidebarCommand[]> {
  return (await posted(page)).slice(-n);
}

test('sidebar: ready handshake, empty state, then a full snapshot; buttons post typed commands', { timeout: TIMEOUT }, async () => {
  const s = await launchChromium({ viewport: { width: 360, height: 1100 } });
  try {
    const page = await open(s);
    assert.deepEqual(await posted(page), [{ type: 'sidebar/ready' }], 'ready first, nothing else');

    await postToWebview(page, { type: 'sidebar/state', state: state({ datasets: [], selectedDataset: undefined, kb: undefined, jobs: [], runs: [] }) });
    await waitForPageCondition(page, `!document.querySelector('[data-testid="empty-state"]').hidden`);
    assert.match(await text(page, 'empty-state'), /No dataset yet/);
    await s.screenshot('sidebar-empty');
    await page.click('[data-testid="empty-demo"]');
    assert.deepEqual(await lastPosted(page), [{ type: 'sidebar/command', command: 'startDemo' }]);

    // Junk from elsewhere is ignored.
    await postToWebview(page, { type: 'sidebar/state', state: 'nope' });
    await postToWebview(page, { hello: 1 });
    await postToWebview(page, { type: 'sidebar/state', state: state() });
    await waitForPageCondition(page, `document.querySelector('[data-testid="empty-state"]').hidden`);
    assert.equal(await visible(page, 'restricted-banner'), false);
    assert.match(await text(page, 'endpoint'), /llama3\.1:8b @ http:\/\/127\.0\.0\.1:11434\/v1/);
    assert.match(await text(page, 'key-status'), /key set \(SecretStorage\)/);
    assert.match(await text(page, 'kb-summary'), /21 hints \(19 enabled\) · 1 error · hetrec-mini\.hints\.json/);
    assert.match(await text(page, 'kb-stale'), /Trained agent is stale: 1 added or enabled \(h-3f2a\)/);
    assert.match(await text(page, 'jobs'), /1200\/5000 · 412 calls · \$0\.0123 · reward 0\.041/);
    assert.match(await text(page, 'jobs'), /interrupted/);
    assert.ok((await canvasInkPixels(page, '[data-testid="curve"]')) > 200, 'the live reward curve is drawn');

    // Train is disabled while a training runs; the others start with the shown parameters.
    assert.equal(await page.locator('[data-testid="action-train"]').getAttribute('disabled'), '');
    await page.click('[data-testid="action-evaluate"]');
    assert.deepEqual(await lastPosted(page), [{ type: 'sidebar/start', action: 'evaluate', params: PARAMS }]);

    // An invalid parameter disables the actions; a valid one is sent.
    await page.locator('[data-testid="param-reflection.targetHints"] input').fill('abc');
    assert.equal(await page.locator('[data-testid="action-reflect"]').getAttribute('disabled'), '');
    assert.equal(await page.locator('[data-testid="param-reflection.targetHints"]').getAttribute('aria-invalid'), 'true');
    const before = (await posted(page)).length;
    await page.click('[data-testid="action-reflect"]', { force: true });
    assert.equal((await posted(page)).length, before, 'a disabled button posted');
    await page.locator('[data-testid="param-reflection.targetHints"] input').fill('8');
    await page.click('[data-testid="action-reflect"]');
    assert.deepEqual(await lastPosted(page), [{ type: 'sidebar/start', action: 'reflect', params: { ...PARAMS, "reflection.targetHints": 8 } }]);

    // A new snapshot does not overwrite what the user typed.
    await postToWebview(page, { type: 'sidebar/state', state: state() });
    assert.equal(await page.locator('[data-testid="param-reflection.targetHints"] input').inputValue(), '8');

    await page.click('[data-testid="cancel-train"]');
    assert.deepEqual(await lastPosted(page), [{ type: 'sidebar/cancelJob', jobId: 'train-1' }]);
    await page.click('[data-testid="resume-train"]');
    assert.deepEqual(await lastPosted(page), [{ type: 'sidebar/resumeJob', jobId: 'train-0' }]);
    await page.click('[data-testid="run-2026-11-26T2210-bandit"]');
    assert.deepEqual(await lastPosted(page), [{ type: 'sidebar/openRun', runId: '2026-11-26T2210-bandit' }]);
    await page.click('[data-testid="set-key"]');
    await page.click('[data-testid="open-kb"]');
    assert.deepEqual(await lastPosted(page, 2), [{ type: 'sidebar/command', command: 'setApiKey' }, { type: 'sidebar/command', command: 'openKb' }]);

    await page.click('[data-testid="dataset-select"]');
    await page.locator('vscode-option', { hasText: 'ml-100k' }).click();
    assert.deepEqual(await lastPosted(page), [{ type: 'sidebar/selectDataset', id: '/ws/data/ml-100k' }]);

    // Keyboard: focus a button, press Enter and Space.
    await page.locator('[data-testid="action-run"]').focus();
    await page.keyboard.press('Enter');
    assert.deepEqual((await lastPosted(page))[0], { type: 'sidebar/start', action: 'run', params: { ...PARAMS, "reflection.targetHints": 8 } });
    await page.locator('[data-testid="open-results"]').focus();
    await page.keyboard.press('Space');
    assert.deepEqual(await lastPosted(page), [{ type: 'sidebar/command', command: 'openResults' }]);

    await page.mouse.move(0, 0);
    await s.screenshot('sidebar');
    assert.deepEqual(await s.cspViolations(), []);
    assert.deepEqual(s.errors(), []);
  } finally {
    await s.close();
  }
});

test('sidebar: Restricted Mode banner, LLM actions disabled, ignored settings listed', { timeout: TIMEOUT }, async () => {
  const s = await launchChromium({ viewport: { width: 360, height: 900 } });
  try {
    const page = await open(s);
    await postToWebview(page, { type: 'sidebar/state', state: state({ trusted: false, jobs: [], endpoint: { baseUrl: '', model: 'gpt-4o-mini', keySource: 'none', simulated: false, keyNeeded: true, ignored: ['llm.baseUrl', 'llm.model'] }, kb: { ...state().kb!, stale: false } }) });
    await waitForPageCondition(page, `!document.querySelector('[data-testid="restricted-banner"]').hidden`);
    assert.match(await text(page, 'restricted-banner'), /Restricted Mode.*no LLM call or training starts/s);
    assert.match(await text(page, 'ignored-settings'), /re2llm\.llm\.baseUrl, re2llm\.llm\.model/);
    for (const a of ['reflect', 'train', 'evaluate', 'run']) assert.equal(await page.locator(`[data-testid="action-${a}"]`).getAttribute('disabled'), '', a);
    assert.equal(await page.locator('[data-testid="demo"]').getAttribute('disabled'), '');
    assert.match(await text(page, 'actions-note'), /Disabled in Restricted Mode/);
    const n = (await posted(page)).length;
    await page.click('[data-testid="action-run"]', { force: true });
    assert.equal((await posted(page)).length, n);
    await page.click('[data-testid="manage-trust"]');
    assert.deepEqual(await lastPosted(page), [{ type: 'sidebar/command', command: 'manageTrust' }]);
    await s.screenshot('sidebar-restricted');
    assert.deepEqual(await s.cspViolations(), []);
    assert.deepEqual(s.errors(), []);
  } finally {
    await s.close();
  }
});

test('sidebar: state persisted with setState is painted at once after a reload, before the host answers', { timeout: TIMEOUT }, async () => {
  const s = await launchChromium({ viewport: { width: 360, height: 900 } });
  try {
    let page = await open(s);
    await postToWebview(page, { type: 'sidebar/state', state: state() });
    await page.locator('[data-testid="param-agent.steps"] input').fill('777');
    await waitForPageCondition(page, 'window.__stateWrites > 0');
    const saved = await page.evaluate('window.__state');
    page = await open(s, saved);
    assert.deepEqual(await posted(page), [{ type: 'sidebar/ready' }]);
    assert.match(await text(page, 'kb-summary'), /21 hints/);
    assert.equal(await page.locator('[data-testid="param-agent.steps"] input').inputValue(), '777');
    // The running card of before the reload is not painted again: that job may be long gone.
    assert.equal(await page.locator('[data-testid="job-train"][data-status="running"]').count(), 0);
    assert.equal(await page.locator('[data-testid="job-train"][data-status="interrupted"]').count(), 1);
    assert.deepEqual(await s.cspViolations(), []);
  } finally {
    await s.close();
  }
});

test('sidebar: keyless endpoints enable the buttons, a missing key disables them with the reason; cards name run and step; a broken KB says so', { timeout: TIMEOUT }, async () => {
  const s = await launchChromium({ viewport: { width: 300, height: 1000 } });
  try {
    const page = await open(s);
    const local = { baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1:8b', keySource: 'none' as const, simulated: false, keyNeeded: false, ignored: [] };
    const jobs: SidebarState['jobs'] = [
      { id: 'train-2', kind: 'train', label: 'Train agent on examples', status: 'cancelled', message: 'Stopped at step 1200/5000. Resume continues from the last checkpoint.', runDir: '/ws/re2llm-runs/train-20261201-2210', runId: 'train-20261201-2210', done: 1200, total: 5000, resumable: true },
    ];
    await postToWebview(page, { type: 'sidebar/state', state: state({ endpoint: local, jobs, kb: { path: '/ws/re2llm/x.hints.json', hints: 1, enabled: 1, stale: false, errors: 0 } }) });
    await waitForPageCondition(page, `/no API key needed/.test(document.querySelector('[data-testid="key-status"]').textContent)`);
    for (const a of ['reflect', 'train', 'evaluate', 'run']) assert.equal(await page.locator(`[data-testid="action-${a}"]`).getAttribute('disabled'), null, a);
    assert.equal(await text(page, 'actions-note'), '');
    assert.match(await text(page, 'kb-summary'), /^1 hint \(1 enabled\)/);
    assert.match(await text(page, 'job-run-train'), /run train-20261201-2210 · step 1200\/5000/);
    assert.match(await text(page, 'job-train'), /stopped/);

    await postToWebview(page, { type: 'sidebar/state', state: state({ endpoint: { ...local, baseUrl: '', keyNeeded: true }, jobs: [] }) });
    await waitForPageCondition(page, `document.querySelector('[data-testid="action-run"]').hasAttribute('disabled')`);
    assert.match(await text(page, 'actions-note'), /needs an API key.*Simulated LLM/);

    await postToWebview(page, { type: 'sidebar/state', state: state({ endpoint: { ...local, simulated: true, model: 'sim-llm' }, kb: { path: '/ws/re2llm/x.hints.json', hints: 0, enabled: 0, stale: false, errors: 5, invalid: 'parse' } }) });
    await waitForPageCondition(page, `/Simulated LLM/.test(document.querySelector('[data-testid="endpoint"]').textContent)`);
    assert.match(await text(page, 'kb-summary'), /x\.hints\.json: the KB does not parse/);
    assert.equal(await visible(page, 'setup-warnings'), false);
    await postToWebview(page, { type: 'sidebar/state', state: state({ endpoint: { ...local, simulated: true, model: 'sim-llm' }, warnings: ['Evaluating on 40 test sessions: a paired test on fewer than 100 sessions detects only large differences between conditions.'] }) });
    await waitForPageCondition(page, `!document.querySelector('[data-testid="setup-warnings"]').hidden`);
    assert.match(await text(page, 'setup-warnings'), /40 test sessions/);
    assert.doesNotMatch(await text(page, 'kb-summary'), /0 hints/);
    await s.screenshot('sidebar-keyless');
    // Pending Batch API batches sit in the Jobs section with their progress.
    const batches = [{ id: 'batch_abc', status: 'in_progress', total: 400, completed: 120, failed: 3, createdAt: '2026-12-02T05:00:00.000Z', file: 'batches.json' }];
    await postToWebview(page, { type: 'sidebar/state', state: state({ endpoint: local, jobs: [], batches }) });
    await waitForPageCondition(page, `!!document.querySelector('[data-testid="batch-batch_abc"]')`);
    assert.match(await text(page, 'batch-batch_abc'), /Batch batch_abc\s+in_progress[\s\S]*120\/400 answered · 3 failed · since 2026-12-02 05:00 · batches\.json/);
    assert.equal(await page.locator('[data-testid="batch-batch_abc"] progress').getAttribute('value'), '123');
    assert.deepEqual(await s.cspViolations(), []);
    assert.deepEqual(s.errors(), []);
  } finally {
    await s.close();
  }
});

test('sidebar: a field typed into before the host\'s first snapshot keeps its value, the others get theirs; buttons wait for the snapshot', { timeout: TIMEOUT }, async () => {
  const s = await launchChromium({ viewport: { width: 300, height: 900 } });
  try {
    const page = await open(s);
    assert.equal(await page.locator('[data-testid="action-train"]').getAttribute('disabled'), '', 'no snapshot yet: nothing may start');
    await page.locator('[data-testid="param-agent.steps"] input').fill('20000');
    await postToWebview(page, { type: 'sidebar/state', state: state({ jobs: [] }) });
    await waitForPageCondition(page, `!document.querySelector('[data-testid="action-train"]').hasAttribute('disabled')`);
    // The toolkit's text fields pass a new value to their inner input a frame later (seen once in
    // CI on a loaded machine): wait for the untouched field to get the snapshot's value.
    await waitForPageCondition(page, `document.querySelector('[data-testid="param-reflection.targetHints"]')?.shadowRoot?.querySelector('input')?.value === '20'`);
    assert.equal(await page.locator('[data-testid="param-agent.steps"] input').inputValue(), '20000');
    assert.equal(await page.locator('[data-testid="param-reflection.targetHints"] input').inputValue(), '20');
    assert.equal(await page.locator('[data-testid="param-evaluation.testSample"] input').inputValue(), '200');
    await page.click('[data-testid="action-train"]');
    const [last] = (await posted(page)).slice(-1);
    assert.deepEqual(last, { type: 'sidebar/start', action: 'train', params: { ...PARAMS, 'agent.steps': 20000 } });
  } finally {
    await s.close();
  }
});
