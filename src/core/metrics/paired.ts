/**
 * Paired statistics of two conditions scored on the same sessions: the mean per-session
 * difference d_i = a_i - b_i with a percentile-bootstrap confidence interval of that mean
 * (resampling sessions, so the pairing is kept), its sample SD, and the sign-flip permutation
 * p-value on its own resample count. A paired design must be read from this difference: two
 * conditions' marginal intervals can overlap while the paired difference is clearly non-zero,
 * because most of each session's variance is shared by both conditions.
 */
import type { Rng } from '../util/rng';
import { bootstrapCI } from './bootstrap';
import { pairedRandomizationTest } from './pairedTest';
import { mean } from './rankMetrics';

export interface PairedEstimate {
  /** mean(a - b). */
  diff: number;
  /** Percentile-bootstrap (1 - alpha) interval of mean(a - b). */
  ciLow: number;
  ciHigh: number;
  /** Sample SD of the per-session differences (n - 1 in the denominator); 0 when n < 2. */
  sd: number;
  /** Two-sided sign-flip p-value, (b + 1) / (B + 1). */
  pValue: number;
  n: number;
}

export interface PairedOptions {
  /** Bootstrap resamples for the interval. */
  resamples: number;
  /** Sign-flip resamples for the p-value (independent of `resamples`). */
  permutations: number;
  alpha?: number;
}

export function differences(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new RangeError(`differences: ${a.length} vs ${b.length} values (must be paired)`);
  return a.map((x, i) => x - b[i]!);
}

/** Sample standard deviation (n - 1); 0 for fewer than two values. */
export function sampleSd(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const m = mean(values as number[]);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return Math.sqrt(ss / (n - 1));
}

/** The interval and the test draw from separate streams, so changing one count leaves the other's result unchanged. */
export function pairedEstimate(a: readonly number[], b: readonly number[], rngs: { bootstrap: Rng; permutation: Rng }, opts: PairedOptions): PairedEstimate {
  const d = differences(a, b);
  const ci = bootstrapCI(d, rngs.bootstrap, opts.resamples, opts.alpha ?? 0.05);
  const { pValue } = pairedRandomizationTest(a as number[], b as number[], rngs.permutation, opts.permutations);
  return { diff: ci.mean, ciLow: ci.ciLow, ciHigh: ci.ciHigh, sd: sampleSd(d), pValue, n: d.length };
}
