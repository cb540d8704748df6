/**
 * The training-curves bundle in Chromium (nonce-only CSP, chartjs-plugin-zoom loaded): several
 * runs overlaid, smoothing, the metric menu, the log scale, the legend hiding a run, wheel zoom
 * and its reset; a screenshot in test-artifacts/curves.png. No CSP violation or console error.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunCurve } from '../../src/protocol/curves';
import { canvasInkPixels, launchChromium, waitForPageCondition } from './helpers/chromium';
import { buildWebviewBundle, webviewHarnessHtml, postToWebview, postedMessages } from './helpers/webview';

const ROOT = resolve(__dirname, '..', '..');
let bundleJs = '';
const THEME = `:root { --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-foreground: #cccccc; --vscode-editor-background: #1f1f1f;
  --vscode-descriptionForeground: #9d9d9d; --vscode-button-background: #0078d4; --vscode-button-foreground: #fff; }
body { background: var(--vscode-editor-background); }`;
const css = THEME + '\n' + readFileSync(join(ROOT, 'media/curves.css'), 'utf8');

/** A noisy rising curve, seeded (no Math.random: the same picture every run). */
function curve(runId: string, name: string, rate: number, seed: number, every = 128): RunCurve {
  let s = seed;
  const noise = () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 0.04;
  const points = Array.from({ length: 60 }, (_, i) => {
    const step = (i + 1) * every;
    const p: RunCurve['points'][number] = { step, meanReward: 0.1 * (1 - Math.exp(-rate * i)) + noise(), entropy: 3.04 - 0.8 * (1 - Math.exp(-rate * i)) };
    if (i % 10 === 9) p.validationReward = 0.09 * (1 - Math.exp(-rate * i));
    return p;
  });
  return { runId, name, source: 'metrics.jsonl', points };
}
const RUNS = [curve('train-a', 'bandit 5k', 0.08, 7), curve('train-b', 'paper preset', 0.03, 11, 100), curve('eval-c', 'hashing encoder', 0.05, 13)];

before(async () => {
  bundleJs = await buildWebviewBundle(join(ROOT, 'webview/curves/main.ts'));
});

test('curves: runs overlaid, smoothing, metric, log scale, legend toggle and zoom, under the nonce-only CSP', { timeout: 120_000 }, async () => {
  const s = await launchChromium({ viewport: { width: 1100, height: 640 } });
  try {
    const page = s.page;
    await page.setContent(webviewHarnessHtml({ bundleJs, css, bodyHtml: '<div id="root"></div>' }));
    await waitForPageCondition(page, "document.body.dataset.ready === 'true'");
    assert.deepEqual(await postedMessages(page), [{ type: 'curves/ready' }]);
    await postToWebview(page, { type: 'curves/show', runs: RUNS, missing: ['reflect-x'] });
    // Smoothing 0.6 by default: a raw and a smoothed line per run, 60 points each.
    await waitForPageCondition(page, "document.body.dataset.points === '360'");
    assert.ok((await canvasInkPixels(page, '[data-testid="curves-chart"]')) > 3000, 'the chart is drawn');
    assert.match(await page.locator('[data-testid="curves-note"]').innerText(), /3 runs with a training curve · no curve recorded in reflect-x/);
    // Smoothing off: one line per run.
    await page.locator('[data-testid="curves-smoothing"]').fill('0');
    await waitForPageCondition(page, "document.body.dataset.points === '180'");
    await page.locator('[data-testid="curves-smoothing"]').fill('0.8');
    await waitForPageCondition(page, "document.body.dataset.points === '360'");
    // Log scale on rewards that go below 0 says how many points it leaves out.
    await page.locator('[data-testid="curves-log"]').check();
    await waitForPageCondition(page, `/not drawn on the log scale/.test(document.querySelector('[data-testid="curves-note"]').textContent)`);
    await page.locator('[data-testid="curves-log"]').uncheck();
    // Legend: clicking the first entry hides the run (persisted), clicking again shows it.
    const box = (await page.locator('[data-testid="curves-chart"]').boundingBox())!;
    const hiddenRuns = async () => ((await page.evaluate('window.__state')) as { view: { hiddenRuns: string[] } }).view.hiddenRuns;
    // The legend sits centred above the plot; find the first entry by scanning its row.
    let hid = false;
    for (let x = box.x + box.width * 0.2; x < box.x + box.width * 0.8 && !hid; x += 12) {
      await page.mouse.click(x, box.y + 14);
      // chart.js handles pointer events in the next animation frame.
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      hid = (await hiddenRuns()).length > 0;
    }
    assert.ok(hid, 'a legend click hides a run');
    assert.equal(await page.evaluate('document.body.dataset.visiblePoints'), '240', 'the hidden run\'s two lines are not drawn');
    const hidden = (await hiddenRuns())[0]!;
    assert.ok(RUNS.some((r) => r.runId === hidden));
    // Wheel zoom then reset: the persisted view is unchanged by zoom, the chart redraws without error.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const full = await page.evaluate('document.body.dataset.xRange');
    await page.mouse.wheel(0, -400);
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    await postToWebview(page, { type: 'curves/show', runs: RUNS, missing: ['reflect-x'] });
    await waitForPageCondition(page, 'true');
    const zoomed = await page.evaluate('document.body.dataset.xRange');
    assert.notEqual(zoomed, full, `the wheel zooms in (${full} -> ${zoomed})`);
    // A live update (same runs, a new point) keeps the zoom.
    const grown = RUNS.map((r, i) => (i === 0 ? { ...r, points: [...r.points, { step: 8000, meanReward: 0.1 }] } : r));
    await postToWebview(page, { type: 'curves/show', runs: grown, missing: ['reflect-x'] });
    await waitForPageCondition(page, "document.body.dataset.points === '362'");
    assert.equal(await page.evaluate('document.body.dataset.xRange'), zoomed, 'a live update keeps the zoom');
    assert.equal(await page.evaluate('document.body.dataset.visiblePoints'), hidden === 'train-a' ? '240' : '242', 'and the run hidden from the legend stays hidden');
    await page.locator('[data-testid="curves-reset-zoom"]').click();
    await postToWebview(page, { type: 'curves/show', runs: RUNS, missing: ['reflect-x'] });
    await waitForPageCondition(page, "document.body.dataset.points === '360'");
    // Metric menu offers only what the runs record.
    const options = await page.locator('[data-testid="curves-metric"] vscode-option').evaluateAll((os) => os.map((o) => o.getAttribute('value')));
    assert.deepEqual(options, ['meanReward', 'validationReward', 'entropy']);
    await page.locator('[data-testid="curves-pick"]').click();
    assert.deepEqual((await postedMessages(page)).at(-1), { type: 'curves/pickRuns' });
    await s.screenshot('curves', { fullPage: false });
    assert.deepEqual(await s.cspViolations(), []);
    assert.deepEqual(s.errors(), []);
  } finally {
    await s.close();
  }
});
