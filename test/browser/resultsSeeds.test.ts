/**
 * A run repeated over seeds in the results view (Chromium): the report of three runs that differ
 * only in agent.seed shows "Over 3 seeds" with mean ± sd over the seeds (hand-computed), and a
 * comparison of runs that differ in more than seeds shows none.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ResultsFile } from '../../src/protocol/results';
import { writeReport } from '../../src/core/report/write';
import { launchChromium } from './helpers/chromium';
import { buildWebviewBundle } from './helpers/webview';

const ROOT = resolve(__dirname, '..', '..');
const css = readFileSync(join(ROOT, 'media/results.css'), 'utf8');
const TIMEOUT = 120_000;
let bundleJs = '';

before(async () => {
  bundleJs = await buildWebviewBundle(join(ROOT, 'webview/results/main.ts'));
});

function seedCopy(seed: number, agentNdcg: number, delta: number): ResultsFile {
  const r = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/results-full/results.json'), 'utf8')) as ResultsFile;
  r.run.id = `${r.run.id}-seed${seed}`;
  (r.run.config.agent as Record<string, unknown>).seed = seed;
  r.conditions.find((c) => c.condition === 'agent')!.metrics['NDCG@10']!.mean = agentNdcg;
  r.comparisons.find((p) => p.a === 'agent' && p.b === 'no-hint' && p.metric === 'NDCG@10')!.diff = delta;
  return r;
}

test('results view: runs repeated over seeds show mean ± sd over the seeds; other comparisons do not', { timeout: TIMEOUT }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 're2llm-seeds-browser-'));
  const dirs = [[1, 0.234, 0.048], [2, 0.24, 0.054], [3, 0.222, 0.042]].map(([seed, ndcg, delta]) => {
    const d = join(dir, `seed${seed}`);
    mkdirSync(d);
    writeFileSync(join(d, 'results.json'), JSON.stringify(seedCopy(seed!, ndcg!, delta!)));
    return d;
  });
  const { path } = await writeReport(dirs[0]!, { assets: { bundleJs, css }, compareWith: dirs.slice(1) });
  const s = await launchChromium({ viewport: { width: 1280, height: 900 } });
  try {
    const { page } = s;
    await page.goto(pathToFileURL(path).href);
    await page.waitForSelector('#re-seeds-table tbody tr');
    assert.equal(await page.textContent('#re-seeds-title'), 'Over 3 seeds');
    assert.match((await page.textContent('#re-seeds .re-intro')) ?? '', /agent\.seed 1, 2, 3 \(n = 3 seeds\)/);
    const cols = await page.$$eval('#re-seeds-table thead th', (ths) => ths.map((t) => t.textContent));
    const i = cols.indexOf('NDCG@10') - 1;
    const agent = await page.$$eval('#re-seeds-table tr[data-condition="agent"] td', (tds) => tds.map((td) => [td.firstElementChild?.textContent, td.querySelector('.re-ci')?.textContent]));
    // mean 0.232, sd sqrt(168e-6 / 2) = 0.00917
    assert.deepEqual(agent[i], ['0.232', '± 0.009']);
    const delta = await page.$$eval('#re-seeds-deltas tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.ok(delta.some((row) => row[1] === 'NDCG@10' && row[2] === '+0.048 ± 0.006'), JSON.stringify(delta));
    await s.screenshot('results-seeds');
    assert.deepEqual(await s.cspViolations(), []);
    assert.deepEqual(s.errors(), []);

    const other = await writeReport(join(ROOT, 'test/fixtures/results-full'), { assets: { bundleJs, css }, compareWith: [join(ROOT, 'test/fixtures/results-compare')], out: join(dir, 'compare.html') });
    await page.goto(pathToFileURL(other.path).href);
    await page.waitForSelector('#re-compare-table tbody tr');
    assert.equal(await page.locator('#re-seeds').count(), 0, 'runs that differ in preset and learning rate are not seeds of one run');
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
