import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedEstimate, tQuantile975 } from '../../../src/core/study/seedStats';

const close = (a: number | null, b: number, eps = 1e-9) => assert.ok(a !== null && Math.abs(a - b) < eps, `${a} ≈ ${b}`);

test('seedEstimate: mean, sample sd and the t-interval, by hand', () => {
  // values 0.2, 0.4, 0.6: mean 0.4; squared deviations 0.04 + 0 + 0.04 = 0.08; / (3 - 1) = 0.04; sd 0.2.
  // t(0.975, 2) = 4.303; half-width 4.303 * 0.2 / sqrt(3) = 0.496867...
  const e = seedEstimate([0.2, 0.4, 0.6]);
  close(e.mean, 0.4);
  close(e.sd, 0.2);
  close(e.ciLow, 0.4 - (4.303 * 0.2) / Math.sqrt(3));
  close(e.ciHigh, 0.4 + (4.303 * 0.2) / Math.sqrt(3));
  assert.equal(e.n, 3);
  // Two seeds 0.1, 0.3: mean 0.2, sd sqrt(0.02) = 0.141421; t(0.975, 1) = 12.706; half 12.706 * 0.141421 / sqrt(2) = 1.2706.
  const two = seedEstimate([0.1, 0.3]);
  close(two.sd, Math.sqrt(0.02));
  close(two.ciHigh, 0.2 + 1.2706, 1e-9);
});

test('seedEstimate: one seed has no spread; none has no mean', () => {
  assert.deepEqual(seedEstimate([0.5]), { mean: 0.5, sd: null, ciLow: null, ciHigh: null, n: 1, values: [0.5] });
  assert.ok(Number.isNaN(seedEstimate([]).mean));
});

test('tQuantile975: the table, and close to the normal quantile for many degrees of freedom', () => {
  assert.equal(tQuantile975(4), 2.776);
  assert.ok(Math.abs(tQuantile975(60) - 2.000) < 0.002, `t(60) = ${tQuantile975(60)} (table 2.000)`);
  assert.ok(Math.abs(tQuantile975(120) - 1.980) < 0.002);
  assert.throws(() => tQuantile975(0), RangeError);
});
