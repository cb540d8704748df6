/**
 * Power of the paired comparison, by the normal approximation of the mean paired difference
 * (Chow, Shao & Wang, "Sample Size Calculations in Clinical Research", §3.1, one-sample form on
 * the differences): with per-session SD σ of d = a - b, a two-sided test at level α has power
 * 1 - β against a true mean difference δ when
 *
 *   n = ((z_{1-α/2} + z_{1-β}) · σ / δ)²      and conversely      MDE(n) = (z_{1-α/2} + z_{1-β}) · σ / √n.
 *
 * At α = 0.05 and 80% power the factor is 1.959964 + 0.841621 = 2.801585. The sign-flip test the
 * evaluation runs is asymptotically equivalent, so these are planning figures, not exact ones.
 */

export interface PowerOptions {
  /** Two-sided significance level (default 0.05). */
  alpha?: number;
  /** Probability of detecting the effect (default 0.8). */
  power?: number;
}

/** The factor z_{1-α/2} + z_{power}. */
export function powerFactor(opts: PowerOptions = {}): number {
  const alpha = opts.alpha ?? 0.05;
  const power = opts.power ?? 0.8;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(power > 0 && power < 1)) throw new RangeError(`power must be in (0, 1), got ${power}`);
  return normalQuantile(1 - alpha / 2) + normalQuantile(power);
}

/** Smallest true mean difference detected with the given power by n paired sessions of SD sd. */
export function minimumDetectableEffect(sd: number, n: number, opts: PowerOptions = {}): number {
  if (!(n > 0)) return NaN;
  return (powerFactor(opts) * sd) / Math.sqrt(n);
}

/** Paired sessions needed to detect a true mean difference `effect` (> 0) given per-session SD sd. */
export function sessionsNeeded(sd: number, effect: number, opts: PowerOptions = {}): number {
  if (!(effect > 0)) throw new RangeError(`effect must be > 0, got ${effect}`);
  if (!(sd >= 0)) throw new RangeError(`sd must be >= 0, got ${sd}`);
  return Math.max(2, Math.ceil(((powerFactor(opts) * sd) / effect) ** 2));
}

/**
 * Inverse of the standard normal CDF, Acklam's rational approximation (relative error < 1.2e-9
 * over (0, 1)); e.g. normalQuantile(0.975) = 1.959964, normalQuantile(0.8) = 0.841621.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
