/**
 * Evaluate's agent: the newest run that finished training on the current dataset and KB, never
 * an unfinished, cancelled, running or other-dataset/other-KB one; without one, no agent and a
 * warning that names why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kbFingerprint } from '../../../src/core/kb/actions';
import { pickAgentRun } from '../../../src/extension/host/agentRun';
import { listRuns } from '../../../src/extension/host/runs';
import { hostWorkspace, kbOf, settle } from '../fakes/workspace';

const kb = kbOf(['h-1', 'Prefer sequels.'], ['h-2', 'Mind the decade.']);
const HASH = 'dataset-hash-1';

/** A run folder with the given files; `age` in minutes sets its mtime (bigger: older). */
function run(runsDir: string, id: string, age: number, files: Record<string, unknown>): string {
  const dir = join(runsDir, id);
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  for (const [name, v] of Object.entries(files)) writeFileSync(join(dir, name), typeof v === 'string' ? v : JSON.stringify(v));
  const t = new Date(Date.now() - age * 60_000);
  utimesSync(dir, t, t);
  return dir;
}

function fixture(runsDir: string) {
  const fp = kbFingerprint(kb);
  const manifest = (datasetHash: string, kbFingerprint: string) => ({ datasetHash, kbFingerprint, hintIds: ['none', 'h-1', 'h-2'] });
  const best = { 'checkpoints/best.json': '{}' };
  const summary = (cancelled: boolean) => ({ runDir: 'r', steps: 64, updates: 1, cancelled, bestValidationReward: null, bestStep: null, bestCheckpoint: null, lastCheckpoint: 'l', onnxPath: null, calls: 0, cacheHits: 0, callBound: 0, seconds: 1 });
  return {
    good: run(runsDir, 'train-good', 50, { 'manifest.json': manifest(HASH, fp), ...best, 'agent.onnx': 'x', 'metrics.jsonl': '' }),
    otherKb: run(runsDir, 'train-old-kb', 40, { 'manifest.json': manifest(HASH, 'fingerprint-of-an-older-kb'), ...best, 'summary.json': summary(false) }),
    otherDataset: run(runsDir, 'train-other-ds', 30, { 'manifest.json': manifest('another-hash', fp), ...best, 'summary.json': summary(false) }),
    cancelled: run(runsDir, 'train-cancelled', 20, { 'manifest.json': manifest(HASH, fp), ...best, 'checkpoints/last.json': '{}', 'metrics.jsonl': '' }),
    cancelledPipeline: run(runsDir, 'train-cancelled-2', 15, { 'manifest.json': manifest(HASH, fp), ...best, 'summary.json': summary(true) }),
    running: run(runsDir, 'train-running', 10, { 'manifest.json': manifest(HASH, fp), ...best, 'agent.onnx': 'x', 'metrics.jsonl': '' }),
    unfinished: run(runsDir, 'train-new', 5, { 'manifest.json': manifest(HASH, fp), 'metrics.jsonl': '' }),
    evalOnly: run(runsDir, 'eval-1', 1, { 'results.json': '{}' }),
  };
}

test('pickAgentRun skips running, unfinished, cancelled, other-dataset and other-KB runs', async () => {
  const w = hostWorkspace(kb);
  const f = fixture(w.runsDir);
  const runs = await listRuns(w.runsDir);
  assert.equal(runs[0]!.id, 'eval-1', 'fixture mtimes');
  const pick = await pickAgentRun(runs, { datasetHash: HASH, kbFingerprint: kbFingerprint(kb) }, [f.running]);
  assert.equal(pick.run?.dir, f.good);
  // Without the running one excluded, it is the newest finished match.
  assert.equal((await pickAgentRun(runs, { datasetHash: HASH, kbFingerprint: kbFingerprint(kb) }, [])).run?.dir, f.running);
});

test('Evaluate passes the newest matching finished run, or none with a warning that names why', async () => {
  const w = hostWorkspace(kb);
  const f = fixture(w.runsDir);
  w.core.dataset = { name: 'toy', hash: HASH } as never;
  // A training job running in f.running.
  w.core.trainBody = (ctx) =>
    new Promise((_, reject) => {
      ctx.onProgress({ runDir: f.running, total: 10 });
      ctx.signal.addEventListener('abort', () => reject(new Error('cancelled')));
    });
  await w.actions.train();
  await w.actions.evaluate();
  const calls = w.core.calls.filter((c) => c.fn === 'evaluate');
  assert.equal(calls.at(-1)!.args[1], f.good);

  rmSync(f.good, { recursive: true });
  await w.actions.evaluate();
  assert.equal(w.core.calls.filter((c) => c.fn === 'evaluate').at(-1)!.args[1], undefined);
  const warn = w.vs.shown.filter((s) => s.level === 'warn').at(-1)!;
  assert.match(warn.message, /evaluating without the agent/);
  assert.match(warn.message, /train-running is still training/);
  assert.match(warn.message, /did not finish training/);
  for (const j of w.studio.jobs.running()) w.studio.jobs.cancel(j.id);
  await settle(w.studio);
});

test('Evaluate with no trained run at all: no agent, and it says so', async () => {
  const w = hostWorkspace(kb);
  w.core.dataset = { name: 'toy', hash: HASH } as never;
  await w.actions.evaluate();
  assert.equal(w.core.calls.find((c) => c.fn === 'evaluate')!.args[1], undefined);
  assert.ok(w.vs.shown.some((s) => s.level === 'warn' && /no trained agent/.test(s.message)));
});
