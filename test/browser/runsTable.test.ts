/**
 * The runs table bundle in Chromium (nonce-only CSP): rows rendered from a snapshot, sorting by a
 * header, filtering, hidden rows, selection posting compare/hide/delete, star; a screenshot in
 * test-artifacts/runs-table.png. No CSP violation and no console error allowed.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunRow, RunsCommand } from '../../src/protocol/runsTable';
import { launchChromium, waitForPageCondition } from './helpers/chromium';
import { buildWebviewBundle, webviewHarnessHtml, postToWebview, postedMessages } from './helpers/webview';

const ROOT = resolve(__dirname, '..', '..');
let bundleJs = '';
const THEME = `:root { --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-foreground: #cccccc; --vscode-editor-background: #1f1f1f;
  --vscode-descriptionForeground: #9d9d9d; --vscode-widget-border: #313131; --vscode-textLink-foreground: #4daafc; --vscode-testing-iconPassed: #73c991;
  --vscode-errorForeground: #f85149; --vscode-button-background: #0078d4; --vscode-button-foreground: #fff; --vscode-input-background: #313131; --vscode-input-foreground: #ccc; }
body { background: var(--vscode-editor-background); }`;
const css = THEME + '\n' + readFileSync(join(ROOT, 'media/runs.css'), 'utf8');

const base = { modified: '2026-12-01T21:00:00.000Z', starred: false, hidden: false, trained: false };
const ROWS: RunRow[] = [
  { ...base, id: 'eval-20261201-2210', name: 'bandit 5k', kind: 'eval', hasResults: true, dataset: 'hetrec-mini', model: 'sim-llm', hints: 20, steps: 5000, preset: 'bandit', encoder: 'profile', testSessions: 200, agentNdcg10: 0.1678, noHintNdcg10: 0.1509, deltaNdcg10: 0.0169, agentHr10: 0.34, cost: 0 },
  { ...base, id: 'eval-20261201-2230', name: 'hashing encoder', kind: 'eval', hasResults: true, dataset: 'hetrec-mini', model: 'sim-llm', hints: 20, steps: 3000, preset: 'bandit', encoder: 'hashing', testSessions: 200, agentNdcg10: 0.1439, noHintNdcg10: 0.1509, deltaNdcg10: -0.007, agentHr10: 0.27, cost: 0, modified: '2026-12-01T22:30:00.000Z' },
  { ...base, id: 'train-20261201-2200', name: 'train-20261201-2200', kind: 'train', hasResults: false, trained: true, dataset: 'hetrec-mini', steps: 3000, preset: 'bandit', encoder: 'profile' },
  { ...base, id: 'reflect-ext-b4e31f', name: 'reflect-ext-b4e31f', kind: 'reflect', hasResults: false, hidden: true },
];

before(async () => {
  bundleJs = await buildWebviewBundle(join(ROOT, 'webview/runs/main.ts'));
});

test('runs table: rows, sort, filter, hidden rows, selection and star post typed commands', { timeout: 120_000 }, async () => {
  // About the editor's width beside the sidebar in a 1440-px window: every column must fit.
  const s = await launchChromium({ viewport: { width: 1080, height: 420 } });
  try {
    const page = s.page;
    await page.setContent(webviewHarnessHtml({ bundleJs, css, bodyHtml: '<div id="root"></div>' }));
    await waitForPageCondition(page, "document.body.dataset.ready === 'true'");
    assert.deepEqual(await postedMessages<RunsCommand>(page), [{ type: 'runs/ready' }]);
    await postToWebview(page, { type: 'runs/show', rows: ROWS });
    await waitForPageCondition(page, `document.querySelectorAll('[data-testid="runs-table"] tbody tr').length === 3`);
    assert.match(await page.locator('[data-testid="runs-count"]').innerText(), /3 of 4 runs \(1 hidden\)/);
    const ids = () => page.locator('[data-testid="runs-table"] tbody tr').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-testid')));
    assert.deepEqual(await ids(), ['row-eval-20261201-2230', 'row-eval-20261201-2210', 'row-train-20261201-2200'], 'newest first');
    // Sort by Δ NDCG@10 (numbers: largest first on the first click; rows without it last).
    await page.locator('th[data-key="deltaNdcg10"]').click();
    assert.deepEqual(await ids(), ['row-eval-20261201-2210', 'row-eval-20261201-2230', 'row-train-20261201-2200']);
    assert.equal(await page.locator('th[data-key="deltaNdcg10"]').getAttribute('aria-sort'), 'descending');
    await page.locator('[data-testid="runs-filter"] input').fill('hashing');
    await waitForPageCondition(page, `document.querySelectorAll('[data-testid="runs-table"] tbody tr').length === 1`);
    await page.locator('[data-testid="runs-filter"] input').fill('');
    await page.locator('[data-testid="runs-show-hidden"]').check();
    await waitForPageCondition(page, `document.querySelectorAll('[data-testid="runs-table"] tbody tr').length === 4`);
    await page.locator('[data-testid="select-eval-20261201-2210"]').check();
    await page.locator('[data-testid="select-eval-20261201-2230"]').check();
    await page.locator('[data-testid="runs-compare"]').click();
    await page.locator('[data-testid="star-eval-20261201-2230"]').click();
    const last = (await postedMessages<RunsCommand>(page)).slice(-2);
    assert.deepEqual(last, [
      { type: 'runs/compare', runIds: ['eval-20261201-2210', 'eval-20261201-2230'] },
      { type: 'runs/star', runId: 'eval-20261201-2230', starred: true },
    ]);
    assert.equal(await page.locator('[data-testid="star-reflect-ext-b4e31f"]').getAttribute('disabled'), '', 'no results: no star');
    await s.screenshot('runs-table', { fullPage: false });
    const fits = await page.evaluate(`(() => { const e = document.querySelector('.scroll'); return [e.scrollWidth, e.clientWidth]; })()`) as [number, number];
    assert.ok(fits[0] <= fits[1], `the table is ${fits[0]} px wide in ${fits[1]} px`);
    assert.deepEqual(await s.cspViolations(), []);
    assert.deepEqual(s.errors(), []);
  } finally {
    await s.close();
  }
});
