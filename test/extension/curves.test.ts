/**
 * The training-curves panel: its host reads each run's curve (metrics.jsonl of a training folder,
 * else results.json's copy), names runs with none, asks which runs when given none and refuses
 * malformed messages; its view model smooths as TensorBoard does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRuns } from '../../src/extension/host/runs';
import { CurvesHost } from '../../src/extension/curves/curvesHost';
import { asCurvesCommand, CURVE_METRICS, type CurvesNotification } from '../../src/protocol/curves';
import { availableMetrics, nonPositive, seriesOf, smooth } from '../../webview/curves/model';
import { FakeVs } from './fakes/fakeVscode';
import type { PickItem } from '../../src/extension/vscode/types';

const ROOT = join(__dirname, '..', '..');

function folder() {
  const runsDir = mkdtempSync(join(tmpdir(), 'ext-curves-'));
  mkdirSync(join(runsDir, 'train-a'));
  // Two good lines, a validation point, and a torn last line (a kill while writing).
  writeFileSync(
    join(runsDir, 'train-a', 'metrics.jsonl'),
    ['{"step":128,"meanReward":0.01,"entropy":3.04}', '{"step":256,"meanReward":0.03,"entropy":2.9,"validationReward":0.02}', '{"step":384,"meanRe'].join('\n'),
  );
  const results = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/results-full/results.json'), 'utf8'));
  results.training = [
    { step: 100, meanReward: 0.5 },
    { step: 200, meanReward: 0.7 },
  ];
  mkdirSync(join(runsDir, 'eval-b'));
  writeFileSync(join(runsDir, 'eval-b', 'results.json'), JSON.stringify(results));
  mkdirSync(join(runsDir, 'reflect-c'));
  return runsDir;
}

function host(runsDir: string) {
  const vs = new FakeVs();
  const posted: CurvesNotification[] = [];
  let created = 0;
  const h = new CurvesHost({
    ui: vs.ui,
    log: vs.log,
    createPanel: () => (created++, { postMessage: (m) => (posted.push(m), true), reveal: () => {}, onMessage: () => {}, onDispose: () => {} }),
    runs: () => listRuns(runsDir),
  });
  return { h, vs, posted, created: () => created };
}

test("curves: a training folder's metrics.jsonl and an evaluation's results.json copy; runs without a curve are named", async () => {
  const t = host(folder());
  await t.h.open(['train-a', 'eval-b', 'reflect-c']);
  assert.equal(t.posted.length, 0, 'nothing before ready');
  await t.h.receive({ type: 'curves/ready' });
  const msg = t.posted.at(-1)!;
  assert.deepEqual(
    msg.runs.map((r) => [r.runId, r.source, r.points.length]),
    [
      ['train-a', 'metrics.jsonl', 2],
      ['eval-b', 'results.json', 2],
    ],
  );
  assert.deepEqual(msg.missing, ['reflect-c']);
  assert.equal(msg.runs[0]!.points[1]!.validationReward, 0.02);
  // A second open reuses the one panel.
  await t.h.open(['eval-b']);
  assert.equal(t.created(), 1);
  assert.deepEqual(
    t.posted.at(-1)!.runs.map((r) => r.runId),
    ['eval-b'],
  );
});

test('curves: without runs it asks (reflect folders are not offered); a malformed message is ignored', async () => {
  const t = host(folder());
  let offered: string[] = [];
  t.vs.pickAnswers.push((items: PickItem[]) => {
    offered = items.map((i) => (i as PickItem & { id: string }).id);
    return items.filter((i) => (i as PickItem & { id: string }).id === 'train-a');
  });
  await t.h.open();
  await t.h.receive({ type: 'curves/ready' });
  assert.deepEqual(offered.sort(), ['eval-b', 'train-a']);
  assert.deepEqual(
    t.posted.at(-1)!.runs.map((r) => r.runId),
    ['train-a'],
  );
  const before = t.posted.length;
  await t.h.receive({ type: 'curves/show', runs: [] });
  assert.equal(t.posted.length, before);
  assert.equal(asCurvesCommand({ type: 'curves/pickRuns' })?.type, 'curves/pickRuns');
  assert.equal(asCurvesCommand('curves/ready'), undefined);
});

test("curves model: TensorBoard's debiased EMA, per-metric series, log-scale exclusions", () => {
  const pts = [
    { x: 1, y: 1 },
    { x: 2, y: 3 },
    { x: 3, y: 3 },
  ];
  assert.deepEqual(smooth(pts, 0), pts, 'no smoothing leaves values');
  const s = smooth(pts, 0.5);
  // Debiased: the first point is itself, not half of it.
  assert.equal(s[0]!.y, 1);
  // n=2: last = 0.5*0.5 + 0.5*3 = 1.75; debias 1-0.25 = 0.75 -> 2.333…
  assert.ok(Math.abs(s[1]!.y - 1.75 / 0.75) < 1e-12);
  const run = {
    runId: 'r',
    name: 'r',
    source: 'metrics.jsonl' as const,
    points: [
      { step: 20, meanReward: -0.1 },
      { step: 10, meanReward: 0.2, validationReward: 0.1 },
    ],
  };
  assert.deepEqual(
    seriesOf(run, 'meanReward'),
    [
      { x: 10, y: 0.2 },
      { x: 20, y: -0.1 },
    ],
    'sorted by step',
  );
  assert.deepEqual(seriesOf(run, 'validationReward'), [{ x: 10, y: 0.1 }]);
  assert.equal(nonPositive(seriesOf(run, 'meanReward')), 1);
  assert.deepEqual(availableMetrics([run], CURVE_METRICS), ['meanReward', 'validationReward']);
});

test('curves: a panel restored after a reload shows the runs its saved state names, re-read from disk; junk in the state is ignored', async () => {
  const t = host(folder());
  const posted: CurvesNotification[] = [];
  const restored = { postMessage: (m: CurvesNotification) => (posted.push(m), true), reveal: () => {}, onMessage: () => {}, onDispose: () => {} };
  const state = { view: { smoothing: 0.6 }, runs: [{ runId: 'eval-b', points: [] }, { runId: '../../etc' }, { runId: 7 }, null], missing: ['reflect-c', {}] };
  t.h.restore(restored, state);
  assert.equal(posted.length, 0, 'nothing before its page is ready');
  await t.h.receive({ type: 'curves/ready' });
  assert.equal(t.created(), 0, 'the restored panel is used, none created');
  assert.deepEqual(
    posted.at(-1)!.runs.map((r) => [r.runId, r.points.length]),
    [['eval-b', 2]],
    'points come from the run folder, not the saved state',
  );
  assert.deepEqual(posted.at(-1)!.missing, ['reflect-c']);
  t.h.restore(restored, 'not an object');
  await t.h.receive({ type: 'curves/ready' });
  assert.deepEqual(posted.at(-1)!.runs, []);
});
