/**
 * Summaries over seeds: the mean, the sample standard deviation (n - 1 in the denominator) and a
 * 95% Student t-interval, mean ± t(0.975, n - 1) · sd / √n. A study has a handful of seeds, so
 * the normal quantile 1.96 would give intervals that are too narrow. With one seed there is no
 * spread to estimate and sd and the interval are null.
 */
import type { SeedEstimate } from '../../protocol/study';

/** t(0.975, df) for df = 1..30 (standard tables, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2). */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** The 0.975 quantile of Student's t with df degrees of freedom (beyond 30: Cornish-Fisher from z). */
export function tQuantile975(df: number): number {
  if (!(Number.isInteger(df) && df >= 1)) throw new RangeError(`tQuantile975: df must be a positive integer, got ${df}`);
  if (df <= T975.length) return T975[df - 1]!;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

export function seedEstimate(values: number[]): SeedEstimate {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: null, ciLow: null, ciHigh: null, n, values: [] };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return { mean, sd: null, ciLow: null, ciHigh: null, n, values: [...values] };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const half = tQuantile975(n - 1) * sd / Math.sqrt(n);
  return { mean, sd, ciLow: mean - half, ciHigh: mean + half, n, values: [...values] };
}
