/**
 * End to end in a real VS Code, run by scripts/run-tests.mjs once per code-server: 4.100.3 (VS Code
 * 1.100, the oldest the manifest declares, on Node 20; install-code-server.sh) and 4.139.1 (current,
 * on Node 24 from npm; install-code-server-current.sh). RE2LLM_CODE_SERVER=oldest|current picks one;
 * both drive the UI only (no smoke-test payload, which 4.139 would refuse without a server flag). Package the
 * VSIX, install it, open a workspace with the example dataset, run palette commands, check the
 * sidebar and the results panel inside their webview iframes, screenshot them. Once trusted, once
 * in Restricted Mode (the extension loads, ignores the workspace's endpoint settings, refuses LLM
 * calls). Screenshots go to test-artifacts/; `npm run screenshots` (RE2LLM_DOCS_SCREENSHOTS=1) also
 * writes the README's into docs/, so `npm test` never rewrites tracked files.
 *
 * Without code-server: fails when CI=true (it must never be silently skipped in CI), skips loudly
 * otherwise. Run `bash test/e2e/install-code-server.sh` first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../browser/helpers/chromium';
import { CODE_SERVER, codeServerInstalled, packageVsix, startCodeServer, ENTRY, ROOT, VARIANT, type CodeServer } from './helpers/codeServer';
import { Workbench } from './helpers/workbench';

/** The current code-server's pictures go beside the oldest one's, never over them. */
const ARTIFACTS = VARIANT === 'oldest' ? join(ROOT, 'test-artifacts') : join(ROOT, 'test-artifacts', `code-server-${CODE_SERVER.version}`);
/** docs/ only when asked for (npm run screenshots, from the oldest declared VS Code); tests write to ignored folders. */
const DOCS = process.env.RE2LLM_DOCS_SCREENSHOTS === '1' && VARIANT === 'oldest' ? join(ROOT, 'docs') : ARTIFACTS;
console.error(`[e2e] code-server ${CODE_SERVER.version} (${VARIANT}) on ${CODE_SERVER.node}`);
const FIXTURE_RUN = '2026-11-26T2210-bandit';
// The demo trains 3,000 steps: about 3 minutes in code-server on a loaded 2-core machine.
const DEMO_TIMEOUT_MS = Number(process.env.RE2LLM_E2E_DEMO_TIMEOUT_MS ?? 360_000);

/** A workspace like a user's: the example dataset, its config, a hand-edited KB, one evaluated run. */
function makeWorkspace(hostileSettings: boolean): string {
  const ws = mkdtempSync(join(tmpdir(), 're2llm-e2e-ws-'));
  cpSync(join(ROOT, 'examples', 'hetrec-mini'), join(ws, 'hetrec-mini'), { recursive: true });
  const config = JSON.parse(readFileSync(join(ROOT, 'examples', 're2llm.config.json'), 'utf8'));
  // What a cloned repository could carry: in Restricted Mode the endpoint must not come from here.
  if (hostileSettings) config.llm = { ...config.llm, baseUrl: 'https://collector.invalid/v1', model: 'workspace-model' };
  writeFileSync(join(ws, 're2llm.config.json'), JSON.stringify(config, null, 2));
  // The fixture's hint ids (h01...) renamed to the KB schema's form (h-01...).
  const results = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/results-full/results.json'), 'utf8').replace(/"h(\d\d)"/g, '"h-$1"'));
  const kbPath = join(ws, 're2llm', 'hetrec-mini.hints.json');
  results.run.kb.path = kbPath;
  const hints = (results.hints as { id: string; text: string }[]).filter((h) => h.id !== 'none').slice(0, 6).map((h) => ({ id: h.id, text: h.text, enabled: true, source: 'reflection' }));
  // A duplicate of the first hint: the KB diagnostics flag it and offer "disable".
  hints.push({ id: 'h-dup', text: hints[0]!.text, enabled: true, source: 'manual' });
  mkdirSync(join(ws, 're2llm'), { recursive: true });
  writeFileSync(kbPath, JSON.stringify({ version: 1, dataset: 'hetrec-mini', hints }, null, 2) + '\n');
  mkdirSync(join(ws, 're2llm-runs', FIXTURE_RUN), { recursive: true });
  writeFileSync(join(ws, 're2llm-runs', FIXTURE_RUN, 'results.json'), JSON.stringify(results, null, 1));
  if (hostileSettings) {
    // The same in the workspace settings (VS Code itself drops restrictedConfigurations there).
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify({ 're2llm.llm.baseUrl': 'https://collector.invalid/v1', 're2llm.llm.model': 'workspace-model' }, null, 2));
  }
  return ws;
}

function findFiles(dir: string, re: RegExp, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findFiles(p, re, out);
    else if (re.test(name)) out.push(p);
  }
  return out;
}

/** "activated in X ms" from the extension's LogOutputChannel file. */
function activationMs(cs: CodeServer): number | undefined {
  for (const f of findFiles(cs.userDataDir, /Re2LLM\.log$/)) {
    const m = /activated in ([\d.]+) ms/.exec(readFileSync(f, 'utf8'));
    if (m) return Number(m[1]);
  }
  return undefined;
}

function logText(cs: CodeServer): string {
  return findFiles(cs.userDataDir, /Re2LLM\.log$/).map((f) => readFileSync(f, 'utf8')).join('\n');
}

const skipReason = codeServerInstalled() ? undefined : `code-server ${CODE_SERVER.version} (${VARIANT}) is not installed at ${ENTRY} with ${CODE_SERVER.node}: run ${CODE_SERVER.install}`;
if (skipReason && process.env.CI === 'true') {
  test('code-server end-to-end prerequisites', () => assert.fail(`${skipReason} (.ci/run must install it; this test is never skipped in CI)`));
} else if (skipReason) {
  console.error(`\n!!!!!!!! SKIPPING the code-server end-to-end tests: ${skipReason} !!!!!!!!\n`);
}

let vsix: { path: string; bytes: number } | undefined;
function getVsix() {
  if (!vsix) {
    const t = Date.now();
    vsix = packageVsix(mkdtempSync(join(tmpdir(), 're2llm-vsix-')));
    console.error(`[e2e] VSIX ${(vsix.bytes / 1024).toFixed(0)} KiB, packaged in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  return vsix;
}

/**
 * A researcher's own dataset and nothing else: no KB, no runs, no key, the default (OpenAI)
 * endpoint. A small budget keeps the keyless path fast against the simulated LLM.
 */
function makeFreshWorkspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 're2llm-e2e-fresh-'));
  cpSync(join(ROOT, 'examples', 'hetrec-mini'), join(ws, 'my-sessions'), { recursive: true });
  const config = {
    dataset: { path: 'my-sessions', name: 'my-sessions' },
    reflection: { maxSessions: 60 },
    evaluation: { conditions: ['no-hint', 'agent', 'popularity'], bootstrap: 100 },
  };
  writeFileSync(join(ws, 're2llm.config.json'), JSON.stringify(config, null, 2));
  return ws;
}

async function withWorkbench(trusted: boolean, fn: (wb: Workbench, cs: CodeServer, ws: string) => Promise<void>, workspace?: string): Promise<void> {
  const ws = workspace ?? makeWorkspace(!trusted);
  const cs = await startCodeServer({ vsix: getVsix().path, workspace: ws, trusted });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(30_000);
    const wb = new Workbench(page);
    await wb.open(cs.url);
    await fn(wb, cs, ws);
  } catch (err) {
    if (browser) {
      mkdirSync(ARTIFACTS, { recursive: true });
      const pages = browser.contexts().flatMap((c) => c.pages());
      await pages[0]?.screenshot({ path: join(ARTIFACTS, `e2e-failure-${workspace ? 'fresh' : trusted ? 'trusted' : 'restricted'}.png`) }).catch(() => {});
    }
    console.error(`[e2e] extension log:\n${logText(cs).slice(-4000)}`);
    throw err;
  } finally {
    await browser?.close().catch(() => {});
    await cs.stop();
  }
}

test('trusted workspace: sidebar, KB with diagnostics and CodeLens, results panel, Start Demo', { skip: skipReason, timeout: 12 * 60_000 }, async () => {
  mkdirSync(DOCS, { recursive: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  await withWorkbench(true, async (wb, cs) => {
    // Sidebar: datasets found, endpoint, KB summary.
    await wb.openSidebar();
    const sidebar = await wb.webviewFrame('[data-testid="section-dataset"]', 60_000);
    await wb.waitInFrame(sidebar, `/7 hints/.test(document.querySelector('[data-testid="kb-summary"]')?.textContent || '')`);
    assert.equal(await sidebar.evaluate(`document.querySelector('[data-testid="restricted-banner"]').hidden`), true);
    assert.match((await sidebar.locator('[data-testid="dataset-note"]').innerText()), /re2llm\.config\.json/);
    assert.equal(await sidebar.locator(`[data-testid="run-${FIXTURE_RUN}"]`).count(), 1);
    await wb.screenshot(join(DOCS, 'sidebar.png'));

    // The KB as a JSON document with the core's diagnostics and per-hint CodeLens.
    await wb.runCommand('Re2LLM: Open Hint KB');
    await wb.page.locator('.monaco-editor .codelens-decoration', { hasText: 'Try this hint on' }).first().waitFor({ timeout: 30_000 });
    await wb.page.locator('.monaco-editor .codelens-decoration', { hasText: 'agent picks' }).first().waitFor({ timeout: 30_000 });
    // Jump to the duplicate: its squiggle and the diagnostic's message inline.
    await wb.page.locator('.monaco-editor .view-lines').first().click();
    await wb.runCommand('Go to Next Problem in Files (Error, Warning, Info)');
    await wb.page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error').first().waitFor({ timeout: 30_000 });
    await wb.page.locator('.monaco-editor .marker-widget', { hasText: /duplicate|repeats|same text/i }).first().waitFor({ timeout: 30_000 });
    await wb.screenshot(join(DOCS, 'kb-editor.png'));
    await wb.page.keyboard.press('Escape');

    // Results panel from the palette.
    await wb.runCommand('Re2LLM: Open Results');
    await wb.acceptQuickPickIfOpen();
    const results = await wb.webviewFrame('#re-metric-table', 60_000);
    assert.ok((await results.locator('#re-metric-table tbody tr').count()) >= 3);
    await wb.screenshot(join(DOCS, 'results-panel.png'));

    // Start Demo: simulated LLM in the extension host, the whole pipeline on the bundled example.
    await wb.clearNotifications();
    const t = Date.now();
    await wb.runCommand('Re2LLM: Start Demo (simulated LLM)');
    const done = await wb.waitForNotification(/Demo on hetrec-mini|Start Demo|failed/i, 15_000).catch(() => '');
    void done;
    await wb.openSidebar();
    const sb = await wb.webviewFrame('[data-testid="section-dataset"]');
    await wb.waitInFrame(sb, `(() => { const j = document.querySelector('[data-testid="job-demo"]'); return j && j.dataset.status !== 'running'; })()`, DEMO_TIMEOUT_MS);
    const status = await sb.evaluate(`document.querySelector('[data-testid="job-demo"]').dataset.status`);
    const message = await sb.locator('[data-testid="job-demo"]').innerText();
    console.error(`[e2e] Start Demo: ${status} in ${((Date.now() - t) / 1000).toFixed(1)} s: ${message.replace(/\s+/g, ' ')}`);
    assert.equal(status, 'done', message);
    await wb.screenshot(join(ARTIFACTS, 'e2e-demo-done.png'));
    // The sidebar after the demo: the finished job with its reward curve, and the new runs.
    await sb.locator('[data-testid="section-jobs"]').scrollIntoViewIfNeeded();
    await wb.screenshot(join(DOCS, 'sidebar-demo.png'));

    const ms = activationMs(cs);
    console.error(`[e2e] activation time: ${ms} ms; VSIX ${(getVsix().bytes / 1024).toFixed(0)} KiB`);
    assert.ok(ms !== undefined && ms < 1000, `activation time ${ms}`);
    assert.ok(!/sk-[A-Za-z0-9-]{10,}/.test(logText(cs)), 'a key-like string in the log');
  });
});

test('Restricted Mode: the extension loads, ignores the workspace endpoint, refuses LLM calls', { skip: skipReason, timeout: 5 * 60_000 }, async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await withWorkbench(false, async (wb, cs) => {
    // No trust prompt (user setting): the folder opens in Restricted Mode.
    await wb.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 30_000 });
    await wb.runCommand('Re2LLM: Start Demo (simulated LLM)');
    await wb.waitForNotification(/Start Demo is not available in Restricted Mode/);
    await wb.runCommand('Re2LLM: Train Retrieval Agent');
    await wb.waitForNotification(/Train Retrieval Agent is not available in Restricted Mode/);
    await wb.openSidebar();
    const sidebar = await wb.webviewFrame('[data-testid="section-dataset"]', 60_000);
    await wb.waitInFrame(sidebar, `!document.querySelector('[data-testid="restricted-banner"]').hidden`);
    const ignored = await sidebar.locator('[data-testid="ignored-settings"]').innerText();
    assert.match(ignored, /re2llm\.llm\.baseUrl/);
    assert.match(ignored, /re2llm\.llm\.model/);
    const endpoint = await sidebar.locator('[data-testid="endpoint"]').innerText();
    assert.doesNotMatch(endpoint, /collector\.invalid|workspace-model/);
    assert.equal(await sidebar.locator('[data-testid="action-run"]').getAttribute('disabled'), '');
    await wb.screenshot(join(DOCS, 'sidebar-restricted.png'));
    const log = logText(cs);
    assert.match(log, /refused in Restricted Mode: Start Demo/);
    assert.doesNotMatch(log, /demo: simulated LLM on/);
  });
});

/** Waits until the sidebar's card of a job kind has finished; returns its status and text. */
async function jobFinished(wb: Workbench, kind: string, timeoutMs: number): Promise<{ status: string; text: string }> {
  const sb = await wb.webviewFrame('[data-testid="section-dataset"]');
  await wb.waitInFrame(sb, `(() => { const j = document.querySelector('[data-testid="job-${kind}"]'); return j && j.dataset.status !== 'running'; })()`, timeoutMs);
  const status = String(await sb.evaluate(`document.querySelector('[data-testid="job-${kind}"]').dataset.status`));
  return { status, text: (await sb.locator(`[data-testid="job-${kind}"]`).first().innerText()).replace(/\s+/g, ' ') };
}

test('keyless on my own dataset: choose the simulated LLM, reflect, train, evaluate with the sidebar\'s test sessions; a fresh KB has no Problems entry', { skip: skipReason, timeout: 15 * 60_000 }, async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await withWorkbench(true, async (wb, _cs, ws) => {
    await wb.openSidebar();
    let sb = await wb.webviewFrame('[data-testid="section-dataset"]', 60_000);
    // No key, OpenAI's endpoint: the LLM buttons are off and say why.
    await wb.waitInFrame(sb, `/needs an API key/.test(document.querySelector('[data-testid="actions-note"]').textContent)`);
    assert.equal(await sb.locator('[data-testid="action-reflect"]').getAttribute('disabled'), '');

    await wb.runCommand('Re2LLM: Select Endpoint/Model');
    await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Simulated LLM' }).first().click();
    sb = await wb.webviewFrame('[data-testid="section-dataset"]');
    await wb.waitInFrame(sb, `/Simulated LLM/.test(document.querySelector('[data-testid="endpoint"]').textContent)`);
    await wb.waitInFrame(sb, `!document.querySelector('[data-testid="action-reflect"]').hasAttribute('disabled')`);
    assert.match(await sb.locator('[data-testid="key-status"]').innerText(), /no API key needed/);

    const fill = async (key: string, value: string) => {
      const input = sb.locator(`[data-testid="param-${key}"] input`);
      await input.fill(value);
      assert.equal(await input.inputValue(), value);
    };
    await fill('reflection.targetHints', '3');
    // Long enough for a curve worth overlaying (cheap: the simulator's answers are cached after the first run).
    await fill('agent.steps', '1500');
    await fill('evaluation.testSample', '40');
    await wb.screenshot(join(ARTIFACTS, 'e2e-keyless-ready.png'));

    const t0 = Date.now();
    await sb.locator('[data-testid="action-reflect"]').click();
    const reflected = await jobFinished(wb, 'reflect', 240_000);
    console.error(`[e2e] keyless reflect: ${reflected.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${reflected.text}`);
    assert.equal(reflected.status, 'done', reflected.text);
    assert.match(reflected.text, /hints accepted/);

    const t1 = Date.now();
    await sb.locator('[data-testid="action-train"]').click();
    const trained = await jobFinished(wb, 'train', 240_000);
    console.error(`[e2e] keyless train: ${trained.status} in ${((Date.now() - t1) / 1000).toFixed(1)} s: ${trained.text}`);
    assert.equal(trained.status, 'done', trained.text);

    // A second training with twice the steps, for two curves in the curves panel.
    const runsDir = join(ws, 're2llm-runs');
    const finishedTrains = () => (existsSync(runsDir) ? readdirSync(runsDir).filter((d) => d.startsWith('train') && existsSync(join(runsDir, d, 'summary.json'))) : []);
    assert.equal(finishedTrains().length, 1);
    await fill('agent.steps', '3000');
    const t1b = Date.now();
    await sb.locator('[data-testid="action-train"]').click();
    for (const deadline = Date.now() + 240_000; finishedTrains().length < 2; ) {
      assert.ok(Date.now() < deadline, 'the second training did not finish in 240 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    const trained2 = await jobFinished(wb, 'train', 60_000);
    console.error(`[e2e] keyless train (3000 steps): ${trained2.status} in ${((Date.now() - t1b) / 1000).toFixed(1)} s: ${trained2.text}`);
    assert.equal(trained2.status, 'done', trained2.text);

    const t2 = Date.now();
    await wb.clearNotifications();
    await sb.locator('[data-testid="action-evaluate"]').click();
    const evaluated = await jobFinished(wb, 'evaluate', 240_000);
    console.error(`[e2e] keyless evaluate: ${evaluated.status} in ${((Date.now() - t2) / 1000).toFixed(1)} s: ${evaluated.text}`);
    assert.equal(evaluated.status, 'done', evaluated.text);
    // The results panel the evaluation opened, once drawn: no-hint, agent and popularity rows.
    const opened = await wb.webviewFrame('#re-metric-table', 60_000);
    await wb.waitInFrame(opened, `document.querySelectorAll('#re-metric-table tbody tr').length >= 3`, 60_000);
    await wb.screenshot(join(ARTIFACTS, 'e2e-keyless-evaluated.png'));
    // The cost table, where each condition's calls are the answers it read first (asked ahead).
    await opened.locator('#re-quality').scrollIntoViewIfNeeded();
    await wb.screenshot(join(ARTIFACTS, 'e2e-keyless-cost.png'));

    // The run folder records what the sidebar said: 40 test sessions, the agent included, $0.
    const evalRun = readdirSync(runsDir).filter((d) => d.startsWith('eval')).sort().at(-1)!;
    const results = JSON.parse(readFileSync(join(runsDir, evalRun, 'results.json'), 'utf8'));
    assert.equal(results.run.config.evaluation.testSample, 40);
    assert.deepEqual(results.conditions.map((c: { condition: string; n: number }) => [c.condition, c.n]), [['no-hint', 40], ['agent', 40], ['popularity', 40]]);
    assert.ok(results.conditions.every((c: { usage: { cost: number } }) => c.usage.cost === 0), 'the simulator costs nothing');
    // The test sessions' answers were asked ahead of the conditions, and each is charged to the
    // condition that read it first: no-hint's 40 are calls this run made, not cache hits.
    const noHint = results.conditions.find((c: { condition: string }) => c.condition === 'no-hint').usage;
    assert.deepEqual([noHint.calls, noHint.cacheHits], [40, 0], JSON.stringify(noHint));

    // The runs table lists every run folder, the evaluation with its 40 test sessions.
    await wb.runCommand('Re2LLM: Open Runs Table');
    const table = await wb.webviewFrame('[data-testid="runs-table"]', 60_000);
    await wb.waitInFrame(table, `!!document.querySelector('[data-testid="row-${evalRun}"]')`);
    const cells = await table.locator(`[data-testid="row-${evalRun}"] td`).allInnerTexts();
    assert.ok(cells.includes('40'), `test n in ${JSON.stringify(cells)}`);
    assert.ok(await table.locator('[data-testid^="row-train-"]').count() >= 2);
    await wb.screenshot(join(DOCS, 'runs-table-dark.png'));

    // Overlaid training curves: both trainings selected in the runs table, then "Plot curves".
    for (const id of finishedTrains()) await table.locator(`[data-testid="select-${id}"]`).check();
    await table.locator('[data-testid="runs-plot"]').click();
    const curves = await wb.webviewFrame('[data-testid="curves-chart"]', 60_000);
    await wb.waitInFrame(curves, `Number(document.body.dataset.visiblePoints) > 0 && /2 runs with a training curve/.test(document.querySelector('[data-testid="curves-note"]').textContent)`, 60_000);
    const curveNote = await curves.locator('[data-testid="curves-note"]').innerText();
    console.error(`[e2e] curves panel: ${curveNote}; ${await curves.evaluate('document.body.dataset.visiblePoints')} points drawn`);
    await wb.screenshot(join(DOCS, 'curves-dark.png'));

    // Prompt and answer diff: the one evaluated run, its first (most disagreeing) session, no-hint vs agent (pre-picked).
    // The session pick is clicked rather than answered with Enter: on code-server 4.139 the chat view
    // may hold the keyboard focus, and may take it while the pick opens, which closes the pick
    // (seen once in CI): then the command is run again.
    for (let attempt = 0; ; attempt++) {
      await wb.runCommand('Re2LLM: Compare Prompts and Answers');
      try {
        await wb.page.locator('.quick-input-widget', { hasText: 'a session of' }).first().waitFor({ state: 'visible', timeout: 30_000 });
        await new Promise((r) => setTimeout(r, 500)); // the list settles before the click
        await wb.page.locator('.quick-input-widget .monaco-list-row').first().click({ timeout: 10_000 });
        // The sides pick (its title names the session; no-hint and agent come pre-checked).
        await wb.page.locator('.quick-input-widget', { hasText: 'Re2LLM: session' }).first().waitFor({ state: 'visible', timeout: 30_000 });
        break;
      } catch (err) {
        if (attempt >= 2) throw err;
        console.error(`[e2e] the session pick closed before it was answered (${(err as Error).message.split('\n')[0]}); again`);
      }
    }
    await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'No hint' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 500));
    await wb.page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).first().click();
    const diff = await wb.webviewFrame('[data-testid="diff-summary"]', 60_000);
    const leftPrompt = await diff.locator('[data-testid="diff-left-prompt"]').innerText();
    assert.doesNotMatch(leftPrompt, /prompt not available/, 'the prompt is rebuilt from the run\'s dataset');
    assert.match(await diff.locator('[data-testid="diff-left"] h2').innerText(), /No hint/);
    assert.match(await diff.locator('[data-testid="diff-right"] h2').innerText(), /Agent/);
    assert.match(await diff.locator('[data-testid="diff-right-rank"]').innerText(), /target (#\d+ of \d+|not in the top \d+)/);
    console.error(`[e2e] prompt diff: ${(await diff.locator('[data-testid="diff-summary"]').innerText()).replace(/\s+/g, ' ')}`);
    await wb.screenshot(join(DOCS, 'prompt-diff-dark.png'));

    // The same three panels in a light theme (the user setting applies live; the panels redraw from their saved state).
    await wb.setColorTheme('Light Modern', 'light');
    await new Promise((r) => setTimeout(r, 1500));
    await wb.screenshot(join(DOCS, 'prompt-diff-light.png'));
    await wb.showTab('Re2LLM Training Curves');
    const curvesLight = await wb.webviewFrame('[data-testid="curves-chart"]', 60_000);
    await wb.waitInFrame(curvesLight, `Number(document.body.dataset.visiblePoints) > 0 && document.body.classList.contains('vscode-light')`, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    await wb.screenshot(join(DOCS, 'curves-light.png'));
    await wb.showTab('Re2LLM Runs');
    const tableLight = await wb.webviewFrame('[data-testid="runs-table"]', 60_000);
    await wb.waitInFrame(tableLight, `!!document.querySelector('[data-testid="row-${evalRun}"]')`);
    await wb.screenshot(join(DOCS, 'runs-table-light.png'));
    await wb.setColorTheme('Dark Modern', 'dark');

    // The KB reflection wrote: no $schema URL, and no entry in Problems.
    const kbText = readFileSync(join(ws, 're2llm', 'my-sessions.hints.json'), 'utf8');
    assert.doesNotMatch(kbText, /\$schema/);
    await wb.runCommand('Re2LLM: Open Hint KB');
    await wb.page.locator('.monaco-editor .codelens-decoration', { hasText: 'Try this hint on' }).first().waitFor({ timeout: 30_000 });
    await wb.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    await wb.page.locator('.markers-panel-container', { hasText: 'No problems have been detected in the workspace' }).first().waitFor({ timeout: 30_000 });
    await wb.screenshot(join(DOCS, 'sidebar-keyless.png'));

    // The walkthrough is listed by VS Code's own "Welcome: Open Walkthrough…".
    await wb.runCommand('Welcome: Open Walkthrough...');
    await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Get started with Re2LLM Studio' }).first().waitFor({ timeout: 15_000 });
    await wb.page.keyboard.press('Escape');
  }, makeFreshWorkspace());
});

test('a window reload during training: the card says interrupted with its run and step, Resume continues that run, Cancel leaves it stopped', { skip: skipReason, timeout: 10 * 60_000 }, async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const ws = makeFreshWorkspace();
  mkdirSync(join(ws, 're2llm'), { recursive: true });
  writeFileSync(join(ws, 're2llm', 'my-sessions.hints.json'), JSON.stringify({ version: 1, dataset: 'my-sessions', hints: [
    { id: 'h-genre', text: 'Favour movies from the genre most of the history shares.' },
    { id: 'h-decade', text: 'Prefer movies from the decade most of the history comes from.' },
  ] }, null, 2));
  await withWorkbench(true, async (wb) => {
    await wb.runCommand('Re2LLM: Select Endpoint/Model');
    await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Simulated LLM' }).first().click();
    // A runs table open at the reload comes back by itself (its serializer), with the rows as they are then.
    await wb.runCommand('Re2LLM: Open Runs Table');
    await wb.webviewFrame('[data-testid="runs-table"]', 60_000);
    await wb.openSidebar();
    let sb = await wb.webviewFrame('[data-testid="section-dataset"]', 60_000);
    await wb.waitInFrame(sb, `!document.querySelector('[data-testid="action-train"]').hasAttribute('disabled')`);
    await sb.locator('[data-testid="param-agent.steps"] input').fill('20000');
    await sb.locator('[data-testid="action-train"]').click();
    // Running, with a run folder and some steps done.
    await wb.waitInFrame(sb, `/step [1-9]/.test(document.querySelector('[data-testid="job-run-train"]')?.textContent || '')`, 180_000);
    const before = await sb.locator('[data-testid="job-run-train"]').innerText();
    const runId = /run (\S+)/.exec(before)![1]!;

    // Reloaded as a user does (Developer: Reload Window): the workbench saves its state first, so
    // the open runs table is restored. A bare page reload can cut that save short on a loaded
    // machine, and the editor then does not come back at all (seen once in CI).
    const reloaded = wb.page.waitForEvent('framenavigated', { predicate: (f) => f === wb.page.mainFrame(), timeout: 120_000 });
    await wb.runCommand('Developer: Reload Window');
    await reloaded;
    await wb.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    // The workbench restores the open view container after a moment: opening it too early toggles it.
    await new Promise((r) => setTimeout(r, 4000));
    await wb.openSidebar();
    sb = await wb.webviewFrame('[data-testid="section-dataset"]', 20_000).catch(async () => {
      // Restored but not drawn yet (a loaded machine, a restored panel beside it): hide and show the view again.
      await wb.closeSidebar();
      await wb.openSidebar();
      return wb.webviewFrame('[data-testid="section-dataset"]', 60_000);
    });
    await wb.waitInFrame(sb, `document.querySelector('[data-testid="job-train"]')?.dataset.status === 'interrupted'`, 120_000);
    const card = (await sb.locator('[data-testid="job-train"]').innerText()).replace(/\s+/g, ' ');
    console.error(`[e2e] after reload: ${card}`);
    assert.match(card, new RegExp(`run ${runId} · step \\d+/\\d+`));
    assert.match(card, /Interrupted by a window reload at step \d+/);
    assert.equal(await sb.locator('[data-testid="job-train"][data-status="running"]').count(), 0, 'no stale running card');
    await wb.screenshot(join(ARTIFACTS, 'e2e-reload-interrupted.png'));
    const restoredTable = await wb.webviewFrame('[data-testid="runs-table"]', 60_000);
    await wb.waitInFrame(restoredTable, `!!document.querySelector('[data-testid="row-${runId}"]')`, 60_000);
    console.error('[e2e] after reload: the runs table is back with its rows');

    await sb.locator('[data-testid="resume-train"]').click();
    await wb.waitInFrame(sb, `document.querySelector('[data-testid="job-train"]')?.dataset.status === 'running'`, 60_000);
    const resumed = (await sb.locator('[data-testid="job-train"]').first().innerText()).replace(/\s+/g, ' ');
    assert.match(resumed, new RegExp(`Resume ${runId}`));
    await sb.locator('[data-testid="cancel-train"]').click();
    await wb.waitInFrame(sb, `document.querySelector('[data-testid="job-train"]')?.dataset.status === 'cancelled'`, 120_000);
    // (Stopped before the resumed run reported a step: the card names the run, not yet the step.)
    assert.match((await sb.locator('[data-testid="job-train"]').first().innerText()).replace(/\s+/g, ' '), new RegExp(`stopped run ${runId} .*Stopped`));
  }, ws);
});
