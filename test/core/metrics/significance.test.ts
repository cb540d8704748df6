import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapCI, quantile, pairedRandomizationTest } from '../../../src/core/metrics';
import { Rng } from '../../../src/core/util/rng';

test('quantile interpolates between order statistics', () => {
  // positions (n-1)q over [0, 10, 20, 30]: q=0.5 -> 1.5 -> 15; q=0.25 -> 0.75 -> 7.5
  assert.equal(quantile([0, 10, 20, 30], 0.5), 15);
  assert.equal(quantile([0, 10, 20, 30], 0.25), 7.5);
  assert.equal(quantile([0, 10, 20, 30], 1), 30);
});

test('bootstrap CI contains the mean, is seeded, and shrinks with n', () => {
  const rng = new Rng(1);
  const values: number[] = Array.from({ length: 200 }, () => (rng.next() < 0.3 ? 1 : 0));
  const ci = bootstrapCI(values, new Rng(5), 1000);
  assert.equal(ci.mean, values.reduce((a, b) => a + b, 0) / values.length);
  assert.ok(ci.ciLow < ci.mean && ci.mean < ci.ciHigh, JSON.stringify(ci));
  // For a proportion p=0.3 and n=200 the normal 95% half-width is 1.96*sqrt(.21/200) = 0.064.
  assert.ok(Math.abs(ci.ciHigh - ci.ciLow - 2 * 0.064) < 0.03, JSON.stringify(ci));
  assert.deepEqual(bootstrapCI(values, new Rng(5), 1000), ci);
  const wide = bootstrapCI(values.slice(0, 20), new Rng(5), 1000);
  assert.ok(wide.ciHigh - wide.ciLow > ci.ciHigh - ci.ciLow);
});

test('bootstrap CI of constant values is a point; empty input gives NaN; bad alpha throws', () => {
  assert.deepEqual(bootstrapCI([0.5, 0.5, 0.5], new Rng(1), 50), { mean: 0.5, ciLow: 0.5, ciHigh: 0.5 });
  assert.ok(Number.isNaN(bootstrapCI([], new Rng(1)).mean));
  assert.throws(() => bootstrapCI([1], new Rng(1), 10, 1.5), /alpha/);
});

test('paired test: identical conditions give p = 1', () => {
  const a = [1, 0, 0.5, 0.25, 0];
  const r = pairedRandomizationTest(a, a.slice(), new Rng(3), 999);
  assert.equal(r.diff, 0);
  assert.equal(r.pValue, 1);
});

test('paired test: a clear difference gives a small p, never 0', () => {
  // a beats b by 1 on 30 of 40 sessions, ties on the rest: only the 2 all-same-sign flips of the
  // 30 non-zero differences reach |mean| = 30/40, so p is the (1 + ~0) / (1 + 2000) floor.
  const a = Array.from({ length: 40 }, (_, i) => (i < 30 ? 1 : 0));
  const b = new Array(40).fill(0);
  const r = pairedRandomizationTest(a, b, new Rng(3), 2000);
  assert.equal(r.diff, 0.75);
  assert.equal(r.pValue, 1 / 2001);
  // Swapping the conditions flips the sign of diff, not the p-value.
  assert.equal(pairedRandomizationTest(b, a, new Rng(3), 2000).diff, -0.75);
});

test('paired test: one session out of many differing is not significant', () => {
  // d has one non-zero entry: every resample has |mean(d*)| = |mean(d)|, so p = 1.
  const a = [1, 0, 0, 0, 0, 0];
  const b = [0, 0, 0, 0, 0, 0];
  assert.equal(pairedRandomizationTest(a, b, new Rng(9), 100).pValue, 1);
});

test('paired test: unpaired inputs throw', () => {
  assert.throws(() => pairedRandomizationTest([1, 2], [1], new Rng(1), 10), /paired/);
});
