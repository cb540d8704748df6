import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPpoBench } from '../../../bench/ppoBench';
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
