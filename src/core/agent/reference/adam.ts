/** Reference copy of the pre-2026-12 kernel, for the benchmark and equivalence tests only (see ./ppo.ts). */
/**
 * Adam over one flat parameter vector, as torch.optim.Adam (bias-corrected moments, eps added
 * to the square root). PPO uses eps 1e-5 rather than torch's 1e-8 (cleanrl / the 37 PPO details,
 * detail 3), and anneals the learning rate linearly to zero over the run (detail 4).
 */
export interface AdamState {
  /** First moment. */
  m: Float32Array;
  /** Second moment. */
  v: Float32Array;
  /** Steps taken (for bias correction). */
  t: number;
}

export class Adam {
  readonly state: AdamState;

  constructor(
    readonly params: Float32Array,
    readonly grads: Float32Array,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-5,
  ) {
    this.state = { m: new Float32Array(params.length), v: new Float32Array(params.length), t: 0 };
  }

  /** One step with learning rate `lr`: p -= lr * mHat / (sqrt(vHat) + eps). */
  step(lr: number): void {
    const { m, v } = this.state;
    const t = ++this.state.t;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const c1 = 1 - Math.pow(b1, t);
    const c2 = 1 - Math.pow(b2, t);
    const stepSize = lr / c1;
    const sqrtC2 = Math.sqrt(c2);
    const p = this.params;
    const g = this.grads;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]!;
      const mi = (m[i] = b1 * m[i]! + (1 - b1) * gi);
      const vi = (v[i] = b2 * v[i]! + (1 - b2) * gi * gi);
      p[i]! -= (stepSize * mi) / (Math.sqrt(vi) / sqrtC2 + this.eps);
    }
  }

  load(state: AdamState): void {
    if (state.m.length !== this.params.length || state.v.length !== this.params.length) {
      throw new Error(`Adam.load: moment size ${state.m.length} does not match ${this.params.length} parameters`);
    }
    this.state.m.set(state.m);
    this.state.v.set(state.v);
    this.state.t = state.t;
  }
}

/**
 * Linear decay as cleanrl: at update k (1-based) of K, lr_k = lr * (1 - (k - 1) / K).
 */
export function linearDecay(lr: number, update: number, totalUpdates: number): number {
  return lr * (1 - (update - 1) / Math.max(1, totalUpdates));
}

/** Scales grads in place so their global L2 norm is at most maxNorm; returns the norm before. */
export function clipGradNorm(grads: Float32Array, maxNorm: number): number {
  let sq = 0;
  for (let i = 0; i < grads.length; i++) sq += grads[i]! * grads[i]!;
  const norm = Math.sqrt(sq);
  // torch.nn.utils.clip_grad_norm_: coef = max_norm / (norm + 1e-6), applied only when < 1.
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (let i = 0; i < grads.length; i++) grads[i]! *= coef;
  return norm;
}
