/** Reference copy of the pre-2026-12 kernel, for the benchmark and equivalence tests only (see ./ppo.ts). */
/**
 * Running mean and variance of states (gym's RunningMeanStd, which cleanrl's NormalizeObservation
 * uses): merged batch by batch with Chan et al.'s parallel formula, so the result does not depend
 * on how the stream was cut. Normalised state = clip((x - mean) / sqrt(var + eps), -clip, clip).
 */
export class RunningMeanStd {
  mean: Float64Array;
  var: Float64Array;
  /** Starts at a tiny count as gym does, so the first merge is well defined. */
  count = 1e-4;

  constructor(readonly dim: number, readonly eps = 1e-8, readonly clip = 10) {
    this.mean = new Float64Array(dim);
    this.var = new Float64Array(dim).fill(1);
  }

  /** Merges a batch (n x dim, row-major). */
  update(x: Float32Array, n: number): void {
    if (n === 0) return;
    const d = this.dim;
    const bMean = new Float64Array(d);
    const bVar = new Float64Array(d);
    for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) bMean[j]! += x[r * d + j]!;
    for (let j = 0; j < d; j++) bMean[j]! /= n;
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < d; j++) {
        const e = x[r * d + j]! - bMean[j]!;
        bVar[j]! += e * e;
      }
    }
    for (let j = 0; j < d; j++) bVar[j]! /= n;
    const tot = this.count + n;
    for (let j = 0; j < d; j++) {
      const delta = bMean[j]! - this.mean[j]!;
      const m2 = this.var[j]! * this.count + bVar[j]! * n + (delta * delta * this.count * n) / tot;
      this.mean[j] = this.mean[j]! + (delta * n) / tot;
      this.var[j] = m2 / tot;
    }
    this.count = tot;
  }

  /** Writes normalised rows of x into out (both n x dim). */
  normalize(x: Float32Array, n: number, out: Float32Array): void {
    const d = this.dim;
    const inv = new Float64Array(d);
    for (let j = 0; j < d; j++) inv[j] = 1 / Math.sqrt(this.var[j]! + this.eps);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < d; j++) {
        const v = (x[r * d + j]! - this.mean[j]!) * inv[j]!;
        out[r * d + j] = v > this.clip ? this.clip : v < -this.clip ? -this.clip : v;
      }
    }
  }

  toJSON(): { mean: number[]; var: number[]; count: number; eps: number; clip: number } {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count, eps: this.eps, clip: this.clip };
  }

  static fromJSON(j: { mean: number[]; var: number[]; count: number; eps?: number; clip?: number }): RunningMeanStd {
    const r = new RunningMeanStd(j.mean.length, j.eps ?? 1e-8, j.clip ?? 10);
    if (j.var.length !== j.mean.length) throw new Error('RunningMeanStd: mean and var lengths differ');
    r.mean.set(j.mean);
    r.var.set(j.var);
    r.count = j.count;
    return r;
  }
}
