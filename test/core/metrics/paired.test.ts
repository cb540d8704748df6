import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairedEstimate, sampleSd } from '../../../src/core/metrics/paired';
import { minimumDetectableEffect, normalQuantile, powerFactor, sessionsNeeded } from '../../../src/core/metrics/power';
import { Rng } from '../../../src/core/util/rng';

// A constructed paired dataset: 10 sessions, condition a beats b by 0.1 on 8 of them and ties on 2.
const a = [0.6, 0.5, 0.4, 0.3, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];
const b = [0.5, 0.4, 0.3, 0.2, 0.5, 0.4, 0.3, 0.2, 0.2, 0.1];

test('paired estimate on a constructed dataset, against values computed by hand', () => {
  const B = 10000;
  const e = pairedEstimate(a, b, { bootstrap: new Rng(1), permutation: new Rng(2) }, { resamples: B, permutations: B });
  // d = eight 0.1s and two 0s: mean 0.8 / 10 = 0.08.
  assert.ok(Math.abs(e.diff - 0.08) < 1e-12, String(e.diff));
  assert.equal(e.n, 10);
  // SD: deviations +0.02 (x8) and -0.08 (x2): (8 * 0.0004 + 2 * 0.0064) / 9 = 0.016 / 9 -> sqrt = 0.0421637.
  assert.ok(Math.abs(e.sd - Math.sqrt(0.016 / 9)) < 1e-12, String(e.sd));
  // Bootstrap: a resample's mean is 0.1 * X / 10 with X ~ Binomial(10, 0.8) (how many of the ten
  // draws hit a 0.1). P(X <= 4) = 0.0064 and P(X <= 5) = 0.0328, so the 2.5% quantile is X = 5
  // (mean 0.05); P(X <= 9) = 1 - 0.8^10 = 0.8926 < 0.975, so the 97.5% quantile is X = 10 (0.10).
  assert.ok(Math.abs(e.ciLow - 0.05) < 1e-12, `ciLow ${e.ciLow}`);
  assert.ok(Math.abs(e.ciHigh - 0.1) < 1e-12, `ciHigh ${e.ciHigh}`);
  // Sign flips: |mean(d*)| >= 0.08 only when the eight non-zero differences all get the same
  // sign: 2 of 2^8 patterns, probability 1/128 = 0.0078125. With B = 10,000 resamples the count b
  // is Binomial(10000, 1/128): mean 78.1, SD 8.8; p = (b + 1) / (B + 1) lies in
  // (78.1 - 4 * 8.8 + 1) / 10001 = 0.0044 .. (78.1 + 4 * 8.8 + 1) / 10001 = 0.0114.
  assert.ok(e.pValue > 0.0044 && e.pValue < 0.0114, `p ${e.pValue}`);
  // p is (b + 1) / (B + 1) for an integer b.
  const count = e.pValue * (B + 1) - 1;
  assert.ok(Math.abs(count - Math.round(count)) < 1e-6, `b = ${count}`);
  // The permutation count is its own: 99 resamples give a p on the grid k / 100.
  const few = pairedEstimate(a, b, { bootstrap: new Rng(1), permutation: new Rng(2) }, { resamples: B, permutations: 99 });
  assert.ok(Math.abs(few.pValue * 100 - Math.round(few.pValue * 100)) < 1e-9, String(few.pValue));
  assert.equal(few.ciLow, e.ciLow, 'the interval does not depend on the permutation count');
});

test('no difference: diff 0, interval [0, 0], p = 1', () => {
  const e = pairedEstimate(a, a, { bootstrap: new Rng(1), permutation: new Rng(2) }, { resamples: 500, permutations: 500 });
  assert.deepEqual([e.diff, e.ciLow, e.ciHigh, e.sd, e.pValue], [0, 0, 0, 0, 1]);
  assert.throws(() => pairedEstimate([1], [1, 2], { bootstrap: new Rng(1), permutation: new Rng(2) }, { resamples: 10, permutations: 10 }), /paired/);
  assert.equal(sampleSd([3]), 0);
});

test('normal quantiles, MDE and sessions needed, by hand', () => {
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-6);
  assert.ok(Math.abs(normalQuantile(0.8) - 0.841621) < 1e-6);
  assert.ok(Math.abs(normalQuantile(0.5)) < 1e-12);
  assert.ok(Math.abs(normalQuantile(0.001) + 3.090232) < 1e-6);
  const f = powerFactor();
  assert.ok(Math.abs(f - 2.801585) < 1e-5, String(f));
  // The dataset above: MDE = 2.801585 * 0.0421637 / sqrt(10) = 0.037355.
  assert.ok(Math.abs(minimumDetectableEffect(Math.sqrt(0.016 / 9), 10) - 0.037355) < 1e-5);
  // SD 0.27, effect 0.02: (2.801585 * 0.27 / 0.02)^2 = 37.821^2 = 1430.5 -> 1431 sessions.
  assert.equal(sessionsNeeded(0.27, 0.02), 1431);
  // Halving the effect quadruples n: (2.801585 * 0.27 / 0.01)^2 = 5721.9 -> 5722.
  assert.equal(sessionsNeeded(0.27, 0.01), 5722);
  assert.throws(() => sessionsNeeded(0.27, 0), /effect/);
});
