/**
 * Percentile bootstrap confidence interval of a mean (Efron & Tibshirani 1993, ch. 13):
 * draw `resamples` samples of size n with replacement, take each sample's mean, and report the
 * alpha/2 and 1 - alpha/2 quantiles of those means (linear interpolation between order
 * statistics, "type 7"). Seeded through the caller's Rng, so intervals are reproducible.
 */
import type { Rng } from '../util/rng';
import { mean } from './rankMetrics';

export interface Interval {
  mean: number;
  ciLow: number;
  ciHigh: number;
}

export function bootstrapCI(values: number[], rng: Rng, resamples = 1000, alpha = 0.05): Interval {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`bootstrapCI: alpha must be in (0, 1), got ${alpha}`);
  if (!(resamples >= 1)) throw new RangeError(`bootstrapCI: resamples must be >= 1, got ${resamples}`);
  const m = mean(values);
  const n = values.length;
  if (n === 0) return { mean: NaN, ciLow: NaN, ciHigh: NaN };
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[rng.int(n)]!;
    means[r] = s / n;
  }
  means.sort();
  return { mean: m, ciLow: quantile(means, alpha / 2), ciHigh: quantile(means, 1 - alpha / 2) };
}

/** Quantile q of sorted values, interpolating linearly between order statistics. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
