import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTrainingWorker } from '../../src/worker/client';
import { defaultConfig, type Re2llmConfig } from '../../src/core/config/defaults';
import type { TrainProgress } from '../../src/protocol/worker';
import { asWorkerCommand, asWorkerNotification } from '../../src/protocol/worker';
import { trainAgent } from '../../src/core/agent/train';
import { readBanditFile } from '../../src/core/agent/syntheticBandit';
import { silentLogger } from '../../src/core/util/log';

const WORKER = join(__dirname, '../../src/worker/main.ts');
const BANDIT = join(__dirname, '../fixtures/bandit-tiny/bandit.json');

function config(validateEvery = 2): Re2llmConfig {
  const c = defaultConfig();
  return { ...c, agent: { ...c.agent, validateEvery, seed: 3 } };
}
const runDir = () => join(mkdtempSync(join(tmpdir(), 'worker-run-')), 'run');
const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, number>);

test('protocol guards: well-formed messages pass, malformed ones are refused', () => {
  assert.deepEqual(asWorkerCommand({ type: 'cancel' }), { type: 'cancel' });
  assert.equal(asWorkerCommand({ type: 'start', config: {}, options: { runDir: 'x', resume: false, packageVersion: '1' } }), undefined, 'config without agent/encoder');
  assert.ok(asWorkerCommand({ type: 'start', config: defaultConfig(), options: { runDir: 'x', resume: false, packageVersion: '1', steps: 64 } }));
  assert.equal(asWorkerCommand({ type: 'start', config: defaultConfig(), options: { runDir: 5, resume: false, packageVersion: '1' } }), undefined);
  // A K-fold selection run names its fold.
  assert.ok(asWorkerCommand({ type: 'start', config: defaultConfig(), options: { runDir: 'x', resume: false, packageVersion: '1', fold: { index: 1, of: 5 } } }));
  assert.equal(asWorkerCommand({ type: 'start', config: defaultConfig(), options: { runDir: 'x', resume: false, packageVersion: '1', fold: { index: 'a', of: 5 } } }), undefined);
  // Answers paid ahead of the worker: key, tokens and cost each, or the message is refused.
  const paid = { key: 'k', promptTokens: 10, completionTokens: 2, cost: 0.001 };
  assert.ok(asWorkerCommand({ type: 'start', config: defaultConfig(), options: { runDir: 'x', resume: false, packageVersion: '1', paidAhead: [paid] } }));
  assert.equal(asWorkerCommand({ type: 'start', config: defaultConfig(), options: { runDir: 'x', resume: false, packageVersion: '1', paidAhead: [{ ...paid, cost: '1' }] } }), undefined);
  assert.equal(asWorkerCommand({ type: 'start', config: defaultConfig(), options: { runDir: 'x', resume: false, packageVersion: '1', paidAhead: paid } }), undefined);
  assert.equal(asWorkerCommand({ type: 'rm -rf' }), undefined);
  assert.equal(asWorkerCommand('start'), undefined);
  const p = { type: 'progress', step: 1, totalSteps: 2, update: 1, meanReward: 0, entropy: 1, valueLoss: 0, calls: 0, cacheHits: 0, callBound: 0, validationReward: null, stepsPerSecond: 5 };
  assert.deepEqual(asWorkerNotification(p), p);
  assert.equal(asWorkerNotification({ ...p, step: 'x' }), undefined);
  assert.deepEqual(asWorkerNotification({ ...p, askedAhead: 12 }), { ...p, askedAhead: 12 });
  assert.equal(asWorkerNotification({ ...p, askedAhead: '12' }), undefined);
  assert.equal(asWorkerNotification({ ...p, validationReward: undefined }), undefined);
  assert.deepEqual(asWorkerNotification({ type: 'log', level: 'info', text: 'hi' }), { type: 'log', level: 'info', text: 'hi' });
  assert.equal(asWorkerNotification({ type: 'log', level: 'shout', text: 'hi' }), undefined);
  assert.equal(asWorkerNotification({ type: 'error' }), undefined);
  assert.equal(asWorkerNotification({ type: 'done', summary: { runDir: 'x' } }), undefined);
});

test('worker trains a synthetic bandit: progress, checkpoints, run folder, ONNX, one log line per child', async () => {
  const dir = runDir();
  const logs: string[] = [];
  const h = startTrainingWorker({
    config: config(), workerPath: WORKER, options: { runDir: dir, resume: false, steps: 64 * 8, bandit: BANDIT, packageVersion: '0.0.0-test' },
    logger: { log: (_l, t) => logs.push(t) },
  });
  const progress: TrainProgress[] = [];
  const checkpoints: Array<{ path: string; best: boolean }> = [];
  h.on('progress', (p) => progress.push(p)).on('checkpoint', (c) => checkpoints.push(c));
  const s = await h.result;
  assert.equal(s.cancelled, false);
  assert.equal(s.steps, 512);
  assert.equal(progress.length, 8);
  assert.deepEqual(progress.map((p) => p.step), [64, 128, 192, 256, 320, 384, 448, 512]);
  assert.deepEqual(progress.map((p) => p.validationReward !== null), [false, true, false, true, false, true, false, true]);
  assert.ok(checkpoints.some((c) => c.best) && checkpoints.some((c) => !c.best));
  for (const f of ['config.json', 'manifest.json', 'metrics.jsonl', 'checkpoints/last.json', 'checkpoints/best.json', 'agent.onnx']) assert.ok(existsSync(join(dir, f)), f);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.hintIds, ['none', 'arm-1', 'arm-2', 'arm-3']);
  assert.equal(manifest.packageVersion, '0.0.0-test');
  assert.equal(manifest.seeds.agent, 3);
  assert.equal(lines(join(dir, 'metrics.jsonl')).length, 8);
  assert.ok(s.bestValidationReward !== null && s.bestValidationReward > 0);
  assert.equal(logs.filter((l) => /^training worker: .* pid \d+ ran [\d.]+s, exit code 0$/.test(l)).length, 1, logs.join('\n'));
  // The worker's full log stays in the run folder, one timestamped line per message.
  const workerLog = readFileSync(join(dir, 'worker.log'), 'utf8').split('\n').filter(Boolean);
  assert.ok(workerLog.length > 0 && workerLog.every((l) => /^\d{4}-\d\d-\d\dT[\d:.]+Z \[(debug|info|warn|error)\] /.test(l)), workerLog.join('\n'));
});

test('cancel stops the worker between updates and keeps the last checkpoint', async () => {
  const dir = runDir();
  const h = startTrainingWorker({ config: config(1000), workerPath: WORKER, options: { runDir: dir, resume: false, steps: 64 * 100000, bandit: BANDIT, packageVersion: 't' }, graceMs: 3000 });
  let cancelledAt = -1;
  h.on('progress', (p) => {
    if (cancelledAt < 0 && p.step >= 64 * 3) {
      cancelledAt = p.step;
      h.cancel();
    }
  });
  const s = await h.result;
  assert.equal(s.cancelled, true);
  assert.ok(s.steps >= cancelledAt && s.steps < 64 * 100000);
  const last = JSON.parse(readFileSync(join(dir, 'checkpoints/last.json'), 'utf8'));
  assert.equal(last.step, s.steps);
  assert.equal(s.onnxPath, null);
});

test('a worker error (bad bandit file) arrives as a rejected result naming the file and field', async () => {
  const dir = runDir();
  const bad = join(mkdtempSync(join(tmpdir(), 'bad-bandit-')), 'b.json');
  require('node:fs').writeFileSync(bad, JSON.stringify({ dim: 2, arms: 2, train: { states: [[1]], rewards: [[0, 1]] }, validation: { states: [[1, 1]], rewards: [[0, 1]] } }));
  const h = startTrainingWorker({ config: config(), workerPath: WORKER, options: { runDir: dir, resume: false, steps: 64, bandit: bad, packageVersion: 't' } });
  await assert.rejects(h.result, /b\.json \(field "train\.states\[0\]"\)/);
});

test('resume after SIGKILL continues from the last checkpoint and ends where an uninterrupted run ends', async () => {
  const steps = 64 * 12;
  // Reference: the same training, uninterrupted, in this process.
  const refDir = runDir();
  await trainAgent({ config: config(), problem: { kind: 'synthetic', file: await readBanditFile(BANDIT), source: BANDIT }, runDir: refDir, steps, packageVersion: 't', logger: silentLogger });

  const dir = runDir();
  const h = startTrainingWorker({ config: config(), workerPath: WORKER, options: { runDir: dir, resume: false, steps, bandit: BANDIT, packageVersion: 't' } });
  let killedAfter = -1;
  h.on('checkpoint', (c) => {
    if (killedAfter < 0 && !c.best && c.step >= 64 * 4) {
      killedAfter = c.step;
      h.kill();
    }
  });
  await assert.rejects(h.result, /exited .*before finishing; its last checkpoint is in/);
  assert.ok(killedAfter > 0 && killedAfter < steps);

  const h2 = startTrainingWorker({ config: config(), workerPath: WORKER, options: { runDir: dir, resume: true, bandit: BANDIT, packageVersion: 't' } });
  const firstSteps: number[] = [];
  h2.on('progress', (p) => firstSteps.push(p.step));
  const s = await h2.result;
  assert.ok(firstSteps[0]! > killedAfter, `resumed after ${killedAfter}, first progress ${firstSteps[0]}`);
  assert.equal(s.steps, steps);
  const a = JSON.parse(readFileSync(join(dir, 'checkpoints/last.json'), 'utf8'));
  const b = JSON.parse(readFileSync(join(refDir, 'checkpoints/last.json'), 'utf8'));
  assert.equal(a.params, b.params, 'bit-identical weights');
  assert.equal(a.adam.v, b.adam.v);
  // metrics.jsonl: one line per update, no duplicates from the killed attempt
  assert.deepEqual(lines(join(dir, 'metrics.jsonl')).map((l) => l.update), Array.from({ length: 12 }, (_, i) => i + 1));
});

test('SIGTERM (what cancel escalates to) also stops at an update boundary with a checkpoint', async () => {
  const dir = runDir();
  const h = startTrainingWorker({ config: config(1000), workerPath: WORKER, options: { runDir: dir, resume: false, steps: 64 * 100000, bandit: BANDIT, packageVersion: 't' } });
  let sent = false;
  h.on('progress', () => {
    if (!sent) {
      sent = true;
      process.kill(h.pid!, 'SIGTERM');
    }
  });
  const s = await h.result;
  assert.equal(s.cancelled, true);
  assert.equal(JSON.parse(readFileSync(join(dir, 'checkpoints/last.json'), 'utf8')).step, s.steps);
});
