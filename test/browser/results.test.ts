/**
 * The results view in Chromium: (a) the standalone HTML report as a user opens it (file://),
 * (b) the VS Code results panel bundle in a webview-like page with a stub acquireVsCodeApi.
 * The bundle is built here with esbuild, so no earlier build is needed. Screenshots go to
 * test-artifacts/.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ResultsFile, SessionOutcome } from '../../src/protocol/results';
import type { ResultsCommand, SessionDetail } from '../../src/protocol/webview';
import { writeReport } from '../../src/core/report/write';
import { launchChromium, canvasInkPixels, waitForPageCondition, ARTIFACTS_DIR } from './helpers/chromium';
import { buildWebviewBundle, webviewHarnessHtml, postToWebview, postedMessages } from './helpers/webview';

const ROOT = resolve(__dirname, '..', '..');
const readFixture = (name: string) => JSON.parse(readFileSync(join(ROOT, 'test/fixtures', name, 'results.json'), 'utf8')) as ResultsFile;
const full = readFixture('results-full');
const compare = readFixture('results-compare');
const css = readFileSync(join(ROOT, 'media/results.css'), 'utf8');
const TIMEOUT = 120_000;
let bundleJs = '';

before(async () => {
  bundleJs = await buildWebviewBundle(join(ROOT, 'webview/results/main.ts'));
});

/** Rows of the metric table as the page shows them: condition -> [mean text per metric]. */
async function metricTableInPage(page: import('playwright-core').Page): Promise<Record<string, { means: string[]; cis: string[]; best: boolean[] }>> {
  return (await page.evaluate(`(() => {
    const out = {};
    for (const tr of document.querySelectorAll('#re-metric-table tbody tr')) {
      const cells = [...tr.querySelectorAll('td.re-est')];
      out[tr.dataset.condition] = {
        means: cells.map((td) => td.firstElementChild.textContent),
        cis: cells.map((td) => td.querySelector('.re-ci').textContent),
        best: cells.map((td) => td.classList.contains('re-best')),
      };
    }
    return out;
  })()`)) as Record<string, { means: string[]; cis: string[]; best: boolean[] }>;
}

const METRICS = ['HR@1', 'HR@5', 'HR@10', 'NDCG@5', 'NDCG@10', 'MRR'];

function effect(s: SessionOutcome): string {
  const a = s.byCondition['agent']?.rank ?? Infinity;
  const b = s.byCondition['no-hint']?.rank ?? Infinity;
  return a < b ? 'helped' : a > b ? 'hurt' : 'same';
}

test('standalone report in Chromium: charts drawn, the right numbers, comparison, no CSP violation', { timeout: TIMEOUT }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 're2llm-report-browser-'));
  writeFileSync(join(dir, 'results.json'), JSON.stringify(full));
  const { path } = await writeReport(dir, { assets: { bundleJs, css }, compareWith: [join(ROOT, 'test/fixtures/results-compare')] });
  const s = await launchChromium({ viewport: { width: 1280, height: 900 } });
  try {
    const { page } = s;
    await page.goto(pathToFileURL(path).href);
    await page.waitForSelector('#re-metric-table tbody tr');
    const shot = await s.screenshot('results-report');
    await page.screenshot({ path: shot.replace('.png', '-top.png'), fullPage: false });

    // Charts: every canvas is drawn (non-transparent pixels well beyond axes alone).
    for (const sel of ['#re-chart-metric', '.re-chart-curve', '#re-chart-hints', '#re-chart-compare']) {
      const ink = await canvasInkPixels(page, sel);
      assert.ok(ink > 2000, `${sel} looks blank (${ink} inked pixels)`);
    }

    // The metric table: every condition, every metric, mean and CI as in results.json.
    const table = await metricTableInPage(page);
    assert.deepEqual(Object.keys(table), full.conditions.map((c) => c.condition));
    for (const c of full.conditions) {
      assert.deepEqual(table[c.condition]!.means, METRICS.map((m) => c.metrics[m]!.mean.toFixed(3)), c.condition);
      assert.deepEqual(table[c.condition]!.cis, METRICS.map((m) => `[${c.metrics[m]!.ciLow.toFixed(3)}, ${c.metrics[m]!.ciHigh.toFixed(3)}]`), c.condition);
    }
    // Spot check against hand-written fixture values: agent NDCG@10 0.234 [0.179, 0.292].
    assert.equal(table['agent']!.means[4], '0.234');
    assert.equal(table['agent']!.cis[4], '[0.179, 0.292]');
    // Best per column: the agent everywhere; the oracle (upper bound) never.
    assert.deepEqual(table['agent']!.best, METRICS.map(() => true));
    assert.deepEqual(table['oracle']!.best, METRICS.map(() => false));

    // Comparison with the second run: Δ for the agent and the differing parameters.
    const agentDelta = await page.textContent('#re-compare-table tbody tr:nth-child(4) td:last-child');
    assert.equal(agentDelta, '−0.021', 'agent NDCG@10 0.213 - 0.234');
    const diffKeys = await page.$$eval('#re-config-diff tbody th', (ths) => ths.map((t) => t.textContent));
    assert.ok(diffKeys.includes('agent.preset') && diffKeys.includes('agent.learningRate'), diffKeys.join(','));

    // Standalone: no VS Code-only controls (export buttons, session drill-down).
    assert.equal(await page.locator('[data-export]').count(), 0);
    assert.equal(await page.locator('button[data-session]').count(), 0);
    // ... nor rename, star or notes editing: the report shows the name, star and notes read-only.
    assert.equal(await page.locator('#re-run-rename, #re-run-star, #re-run-notes, #re-run-notes-save, textarea, input[type="text"]').count(), 0);
    assert.equal(await page.textContent('#re-run-name'), `★ ${full.run.name}`);
    assert.equal(await page.textContent('.re-notes'), full.run.notes);

    // Sessions: paged, filterable by agent effect, sortable by header buttons.
    assert.equal(await page.locator('.re-sessions tbody tr').count(), 50);
    await page.selectOption('#re-session-filter', 'hurt');
    const hurt = full.sessions.filter((x) => effect(x) === 'hurt').length;
    assert.ok(hurt > 0 && hurt < 50);
    assert.equal(await page.locator('.re-sessions tbody tr').count(), hurt);
    await page.selectOption('#re-session-filter', 'all');
    await page.click('button.re-sort[data-sort="agent"]');
    const firstAgentRank = await page.textContent('.re-sessions tbody tr:first-child td:nth-child(6)');
    const best = Math.min(...full.sessions.map((x) => x.byCondition['agent']!.rank ?? Infinity));
    assert.equal(firstAgentRank?.trim(), String(best));
    assert.equal(await page.getAttribute('.re-sessions th:nth-child(6)', 'aria-sort'), 'ascending');
    await page.fill('#re-session-query', 'Gladiator');
    const gladiators = full.sessions.filter((x) => x.targetTitle === 'Gladiator').length;
    assert.equal(await page.locator('.re-sessions tbody tr').count(), gladiators);
    await page.fill('#re-session-query', '');

    assert.deepEqual(await s.cspViolations(), []);
    assert.deepEqual(s.errors(), []);

    // A sparse run (no training curve, hints, sessions or tests; a missing metric) still renders.
    const sparseDir = join(dir, 'sparse');
    mkdirSync(sparseDir);
    writeFileSync(join(sparseDir, 'results.json'), JSON.stringify(readFixture('results-small')));
    const sparse = await writeReport(sparseDir, { assets: { bundleJs, css } });
    await page.goto(pathToFileURL(sparse.path).href);
    await page.waitForSelector('#re-metric-table tbody tr');
    assert.equal(await page.textContent('#re-metric-table tr[data-condition="popularity"] td.re-est'), '–');
    assert.equal(await page.locator('#re-sessions, #re-hints, #re-paired, #re-compare').count(), 0);
    assert.ok(((await page.textContent('#re-charts')) ?? '').includes('no training curve'));
    assert.ok((await canvasInkPixels(page, '#re-chart-metric')) > 1000);
    assert.deepEqual(await s.cspViolations(), []);
    assert.deepEqual(s.errors(), []);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('results panel bundle with a stub VS Code API: handshake, snapshot, drill-down, export, state', { timeout: TIMEOUT }, async () => {
  const s = await launchChromium({ viewport: { width: 1280, height: 900 } });
  try {
    const { page } = s;
    await page.setContent(webviewHarnessHtml({ bundleJs, css }));
    await waitForPageCondition(page, 'window.__posted.some((m) => m.type === "results/ready")');
    assert.equal(await page.locator('.re-empty').count(), 1, 'empty state before any snapshot');

    // A run still training (no results yet): its live curve is drawn below the empty state.
    await postToWebview(page, { type: 'results/trainingCurve', runId: full.run.id, points: (full.training ?? []).slice(0, 12) });
    await page.waitForSelector('#re-live .re-chart-curve');
    assert.ok((await canvasInkPixels(page, '#re-live .re-chart-curve')) > 1000);

    // A malformed snapshot is ignored.
    await postToWebview(page, { type: 'results/show', runs: [{ schemaVersion: 1, nope: true }] });
    await postToWebview(page, { type: 'results/show', runs: [full] });
    await page.waitForSelector('#re-metric-table tbody tr');
    assert.equal(await page.locator('#re-live').count(), 0, 'the results replace the live curve of the same run');
    assert.ok((await canvasInkPixels(page, '#re-chart-metric')) > 2000);
    assert.ok((await canvasInkPixels(page, '.re-chart-curve')) > 2000);
    const table = await metricTableInPage(page);
    assert.equal(table['no-hint']!.means[2], '0.333');

    // The snapshot is persisted for a reload.
    assert.ok(((await page.evaluate('window.__stateWrites')) as number) > 0);
    assert.equal(await page.evaluate('window.__state.runs[0].run.id'), full.run.id);

    // Export buttons post results/export.
    await page.click('button[data-export="latex"]');
    await page.click('button[data-export="csv"]');
    let posted = await postedMessages<ResultsCommand>(page);
    assert.deepEqual(posted.filter((m) => m.type === 'results/export'), [
      { type: 'results/export', runId: full.run.id, format: 'latex' },
      { type: 'results/export', runId: full.run.id, format: 'csv' },
    ]);

    // Clicking a session asks the host for its detail; the answer is rendered.
    const session = full.sessions[0]!;
    await page.click(`td button[data-session="${session.sessionId}"][data-condition="agent"]:not(.re-rank-btn)`);
    posted = await postedMessages<ResultsCommand>(page);
    assert.deepEqual(posted.filter((m) => m.type === 'results/requestSession'), [{ type: 'results/requestSession', runId: full.run.id, sessionId: session.sessionId, condition: 'agent' }]);
    await page.waitForSelector('.re-detail-loading');
    const ranking = ['Braveheart', 'Heat', 'Fargo', 'Alien', session.targetTitle, 'Se7en', 'Casablanca', 'Jaws', 'Rocky', 'Psycho'];
    const detail: SessionDetail = {
      runId: full.run.id,
      sessionId: session.sessionId,
      condition: 'agent',
      prompt: 'I watched the following movies, in this order:\n1. Toy Story\n...',
      hintId: 'h05',
      hintText: 'Consider genre blends, not only the dominant genre of the session.',
      answer: ranking.map((t, i) => `${i + 1}. ${t}`).join('\n') + '\n<img src=x onerror=alert(1)>',
      ranking,
      targetTitle: session.targetTitle,
      targetRank: 5,
    };
    await postToWebview(page, { type: 'results/sessionDetail', detail });
    await page.waitForSelector('.re-detail[data-detail-session]');
    const answer = await page.textContent('.re-detail pre[data-answer]');
    assert.ok(answer?.includes(`5. ${session.targetTitle}`));
    assert.ok(answer?.includes('<img src=x onerror=alert(1)>'), 'the answer is shown as text, never as HTML');
    assert.equal(await page.locator('.re-detail img').count(), 0);
    assert.equal((await page.textContent('.re-ranking li.re-hit'))?.startsWith(session.targetTitle), true);
    await page.click('.re-detail button[data-open-hint="h05"]');
    posted = await postedMessages<ResultsCommand>(page);
    assert.deepEqual(posted.at(-1), { type: 'results/openHint', hintId: 'h05' });
    // "Diff against no-hint" asks the host for the prompt diff of this session and condition.
    await page.click(`.re-detail button[data-compare-prompts="${session.sessionId}"]`);
    posted = await postedMessages<ResultsCommand>(page);
    assert.deepEqual(posted.at(-1), { type: 'results/comparePrompts', runId: full.run.id, sessionId: session.sessionId, condition: 'agent' });
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await page.locator('.re-detail').screenshot({ path: join(ARTIFACTS_DIR, 'results-webview-detail.png') });

    // Live training curve: the whole curve so far replaces the run's curve (and is persisted).
    const longer = [...(full.training ?? []), { step: 5125, meanReward: 0.05, validationReward: 0.049 }];
    await postToWebview(page, { type: 'results/trainingCurve', runId: full.run.id, points: longer });
    await waitForPageCondition(page, `window.__state.runs[0].training.length === ${longer.length}`);

    // Keyboard: the sort header is a real button reachable by focus and Enter.
    await page.focus('button.re-sort[data-sort="target"]');
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('.re-sessions th:nth-child(2)', 'aria-sort'), 'ascending');

    assert.deepEqual(await s.cspViolations(), []);
    assert.deepEqual(s.errors(), []);
    await page.evaluate('window.scrollTo(0, 0)');
    await s.screenshot('results-webview');

    // Reload: a new page restores from getState without a new snapshot, and says ready again.
    const saved = await page.evaluate('window.__state');
    await page.goto('about:blank');
    await page.setContent(webviewHarnessHtml({ bundleJs, css, initialState: saved }));
    await page.waitForSelector('#re-metric-table tbody tr');
    assert.equal(await page.getAttribute('.re-sessions th:nth-child(2)', 'aria-sort'), 'ascending', 'view choices survive a reload');
    await waitForPageCondition(page, 'window.__posted.some((m) => m.type === "results/ready")');

    // Comparison of two runs in the panel.
    await postToWebview(page, { type: 'results/show', runs: [full, compare] });
    await page.waitForSelector('#re-compare-table');
    assert.ok((await canvasInkPixels(page, '#re-chart-compare')) > 2000);
    // Changing the metric redraws the chart and the comparison in place; the select keeps focus.
    await page.focus('#re-metric-select');
    await page.selectOption('#re-metric-select', 'HR@10');
    assert.equal(await page.textContent('#re-compare-title'), 'Run comparison (HR@10)');
    assert.equal(await page.getAttribute('#re-chart-metric', 'aria-label'), 'HR@10 per condition with 95% confidence intervals');
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 're-metric-select');
    assert.equal(await page.evaluate('window.__state.ui.metric'), 'HR@10');
    assert.ok((await canvasInkPixels(page, '#re-chart-compare')) > 2000);
    await s.screenshot('results-webview-compare');
    assert.deepEqual(await s.cspViolations(), []);

    // The CSP capture is live: an inline style attribute is refused and reported.
    await page.evaluate(`document.body.insertAdjacentHTML('beforeend', '<p style="color:red">x</p>')`);
    for (let i = 0; i < 100 && (await s.cspViolations()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.match((await s.cspViolations()).join('\n'), /style-src/);
  } finally {
    await s.close();
  }
});

test('results panel bundle: rename, star and notes post results/updateRun and follow the host snapshot', { timeout: TIMEOUT }, async () => {
  const s = await launchChromium({ viewport: { width: 1280, height: 900 } });
  const updates = async () => (await postedMessages<ResultsCommand>(page())).filter((m) => m.type === 'results/updateRun');
  const page = () => s.page;
  const focusedId = () => s.page.evaluate('document.activeElement && document.activeElement.id');
  const withRun = (patch: Partial<ResultsFile['run']>): ResultsFile => ({ ...compare, run: { ...compare.run, ...patch } });
  try {
    const { page } = s;
    await page.setContent(webviewHarnessHtml({ bundleJs, css }));
    await waitForPageCondition(page, 'window.__posted.some((m) => m.type === "results/ready")');
    const runId = compare.run.id;
    await postToWebview(page, { type: 'results/show', runs: [compare] });
    await page.waitForSelector('#re-run-rename');
    assert.equal(await page.textContent('#re-run-name'), compare.run.name);
    assert.equal(await page.getAttribute('#re-run-star', 'aria-pressed'), 'false');

    // Rename, then Escape: nothing posted, the title is back and focus returns to Rename.
    await page.click('#re-run-rename');
    assert.equal(await focusedId(), 're-run-name-input');
    assert.equal(await page.inputValue('#re-run-name-input'), compare.run.name);
    await page.keyboard.type(' edited');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#re-run-name-input').count(), 0);
    assert.equal(await page.textContent('#re-run-name'), compare.run.name);
    assert.equal(await focusedId(), 're-run-rename');
    assert.deepEqual(await updates(), []);

    // Rename by keyboard only, Enter saves.
    await page.keyboard.press('Enter');
    await page.fill('#re-run-name-input', 'Paper PPO, seed 7');
    await page.press('#re-run-name-input', 'Enter');
    assert.deepEqual(await updates(), [{ type: 'results/updateRun', runId, name: 'Paper PPO, seed 7' }]);
    await postToWebview(page, { type: 'results/show', runs: [withRun({ name: 'Paper PPO, seed 7' })] });
    await waitForPageCondition(page, `document.getElementById('re-run-name')?.textContent === 'Paper PPO, seed 7'`);
    assert.equal(await focusedId(), 're-run-rename', 'focus goes back to Rename after the host re-render');

    // Star toggle with Space; the host's snapshot sets aria-pressed and the star in the title.
    await page.focus('#re-run-star');
    await page.keyboard.press('Space');
    assert.deepEqual((await updates()).at(-1), { type: 'results/updateRun', runId, starred: true });
    await postToWebview(page, { type: 'results/show', runs: [withRun({ name: 'Paper PPO, seed 7', starred: true })] });
    await waitForPageCondition(page, `document.getElementById('re-run-star')?.getAttribute('aria-pressed') === 'true'`);
    assert.equal(await page.textContent('#re-run-name'), '★ Paper PPO, seed 7');
    assert.equal(await focusedId(), 're-run-star');

    // Notes: Save is enabled once the text differs; a snapshot arriving meanwhile keeps the draft.
    assert.equal(await page.inputValue('#re-run-notes'), compare.run.notes);
    assert.equal(await page.isDisabled('#re-run-notes-save'), true);
    await page.fill('#re-run-notes', 'lr 3e-4\nseed 7');
    assert.equal(await page.isDisabled('#re-run-notes-save'), false);
    await postToWebview(page, { type: 'results/show', runs: [withRun({ name: 'Paper PPO, seed 7', starred: true })] });
    await waitForPageCondition(page, `document.getElementById('re-run-notes')?.value === 'lr 3e-4\\nseed 7'`);
    await page.click('#re-run-notes-save');
    assert.deepEqual((await updates()).at(-1), { type: 'results/updateRun', runId, notes: 'lr 3e-4\nseed 7' });
    await postToWebview(page, { type: 'results/show', runs: [withRun({ name: 'Paper PPO, seed 7', starred: true, notes: 'lr 3e-4\nseed 7' })] });
    await waitForPageCondition(page, `document.getElementById('re-run-notes-save')?.disabled === true`);
    assert.equal(await focusedId(), 're-run-notes');
    // Ctrl+Enter in the notes saves too.
    await page.fill('#re-run-notes', '');
    await page.press('#re-run-notes', 'Control+Enter');
    assert.deepEqual((await updates()).at(-1), { type: 'results/updateRun', runId, notes: '' });
    assert.equal((await updates()).length, 4);

    // Compare Runs: names and stars label the comparison columns.
    await postToWebview(page, { type: 'results/show', runs: [full, withRun({ name: 'Paper PPO, seed 7', starred: true })] });
    await page.waitForSelector('#re-compare-table');
    const heads = await page.$$eval('#re-compare-table thead th', (ths) => ths.map((t) => t.textContent));
    assert.ok(heads.includes('★ Paper PPO, seed 7') && heads.includes(`★ ${full.run.name} (reference)`), heads.join(' | '));

    assert.deepEqual(await s.cspViolations(), []);
    assert.deepEqual(s.errors(), []);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.locator('.re-header').screenshot({ path: join(ARTIFACTS_DIR, 'results-webview-run-info.png') });
  } finally {
    await s.close();
  }
});
