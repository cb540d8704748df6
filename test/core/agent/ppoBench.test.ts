import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPpoBench, mlpFlopsPerStep, againstAuthors, AUTHORS_PAPER_STEPS_PER_SECOND } from '../../../bench/ppoBench';
import { ppoArgs } from '../../../src/core/agent/ppo';
import { generateBandit } from '../../../src/core/agent/syntheticBandit';

test('bench-ppo reports a point every tenth of the run with speed and the ratio to the oracle', async () => {
  const file = generateBandit({ types: 3, dim: 8, arms: 4, contexts: 50, seed: 2, spread: 0.5 });
  const seen: number[] = [];
  const r = await runPpoBench(file, { preset: 'bandit', steps: 64 * 20, seed: 1, onPoint: (p) => seen.push(p.step) });
  assert.equal(r.points.length, 10);
  assert.deepEqual(seen, r.points.map((p) => p.step));
  assert.deepEqual(seen, Array.from({ length: 10 }, (_, i) => 128 * (i + 1)));
  assert.equal(r.oracleKind, 'perType');
  for (const p of r.points) {
    assert.ok(p.stepsPerSecond > 0 && p.stepsPerCpuSecond > 0);
    assert.ok(Math.abs(p.ratioToOracle - p.validationReward / r.oracle.perType!) < 1e-12);
  }
  assert.ok(r.final.ratioToOracle > 0.9, `final ratio ${r.final.ratioToOracle}`);
});

test('bench: FLOPs per step by hand for the paper preset, and the reference trainer gives a close curve', async () => {
  // Forward, both nets: 2 (768*64 + 64*64 + 64*21) + 2 (768*64 + 64*64 + 64*1) = 109184 + 106624.
  // Backward: dW everywhere, dx after the first layer: 2 (49152 + 2*4096 + 2*1344) + 2 (49152 + 2*4096 + 2*64)
  // = 120064 + 114944. Per step: one rollout forward + 10 epochs x (forward + backward).
  assert.equal(mlpFlopsPerStep(ppoArgs('paper', { seed: 1, totalSteps: 32 }), 768, 21), 215808 + 10 * (215808 + 235008));
  const file = generateBandit({ types: 3, dim: 8, arms: 4, contexts: 50, seed: 2, spread: 0.5 });
  const now = await runPpoBench(file, { preset: 'paper', steps: 32 * 10, seed: 1, points: 5 });
  const old = await runPpoBench(file, { preset: 'paper', steps: 32 * 10, seed: 1, points: 5, kernel: 'reference' });
  assert.equal(old.kernel, 'reference');
  assert.equal(now.kernel, 'batched');
  // float32 sums (new) vs float64 (old): close, not bit-identical.
  now.points.forEach((p, i) => assert.ok(Math.abs(p.validationReward - old.points[i]!.validationReward) <= 0.1 * now.oracle.perType!, `point ${i}`));
  assert.equal(now.points.length, 5);
});

test('bench: the ratio to the authors\' recorded speed uses the top of their range for the >= 5x goal', () => {
  assert.deepEqual(AUTHORS_PAPER_STEPS_PER_SECOND, { low: 373, high: 427 });
  const r = againstAuthors(2135);
  assert.equal(r.low, 2135 / 427);
  assert.equal(r.high, 2135 / 373);
  assert.equal(r.met, true);
  // 2000 steps/s is 5.4x the bottom of their range but 4.7x the top: not met.
  assert.equal(againstAuthors(2000).met, false);
});
