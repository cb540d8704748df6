/**
 * Adam over one flat parameter vector, as torch.optim.Adam (bias-corrected moments, eps added
 * to the square root). PPO uses eps 1e-5 rather than torch's 1e-8 (cleanrl / the 37 PPO details,
 * detail 3), and anneals the learning rate linearly to zero over the run (detail 4).
 */
import { KernelArena, kernelFor } from './kernelArena';

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
  /** The WebAssembly arena holding params and grads (the moments go there too), if any. */
  private readonly arena: KernelArena | undefined;

  constructor(
    readonly params: Float32Array,
    readonly grads: Float32Array,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-5,
  ) {
    const k = KernelArena.of(params);
    this.arena = k && k === KernelArena.of(grads) ? k : undefined;
    const alloc = (n: number) => (this.arena ? this.arena.alloc(n) : new Float32Array(n));
    this.state = { m: alloc(params.length), v: alloc(params.length), t: 0 };
  }

  /**
   * One step with learning rate `lr`: p -= lr * mHat / (sqrt(vHat) + eps), on the gradients
   * times `gradScale` (the global-norm clip factor, see `gradClipScale`), fused into one pass
   * over the flat vectors. Each scaled gradient is rounded to float32, as scaling the gradient
   * buffer in place would store it, and the moments' float64 values feed the update before they
   * are stored (so the result matches torch.optim.Adam's formula step by step). With the
   * parameters in a kernel arena the same pass runs as float32x4 WebAssembly (float32 throughout,
   * as torch's float32 Adam).
   */
  step(lr: number, gradScale = 1): void {
    const { m, v } = this.state;
    const t = ++this.state.t;
    const b1 = this.beta1, b2 = this.beta2, eps = this.eps;
    const stepSize = lr / (1 - Math.pow(b1, t));
    const sqrtC2 = Math.sqrt(1 - Math.pow(b2, t));
    const k = this.arena && kernelFor(this.params);
    if (k) {
      k.adam(this.params, this.grads, m, v, { beta1: b1, beta2: b2, stepSize, invSqrtC2: 1 / sqrtC2, eps, gradScale: gradScale < 1 ? gradScale : 1 });
      return;
    }
    const p = this.params, g = this.grads, len = p.length;
    const scaled = gradScale < 1;
    for (let i = 0; i < len; i++) {
      const gi = scaled ? Math.fround(g[i]! * gradScale) : g[i]!;
      const mi = b1 * m[i]! + (1 - b1) * gi;
      const vi = b2 * v[i]! + (1 - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i]! -= (stepSize * mi) / (Math.sqrt(vi) / sqrtC2 + eps);
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

/** Global L2 norm of the gradients (float64 sums; in WebAssembly when grads live in an arena). */
export function gradNorm(grads: Float32Array): number {
  const k = KernelArena.of(grads) && kernelFor(grads);
  if (k) return Math.sqrt(k.sumSquares(grads));
  let sq = 0;
  for (let i = 0; i < grads.length; i++) sq += grads[i]! * grads[i]!;
  return Math.sqrt(sq);
}

/**
 * The factor torch.nn.utils.clip_grad_norm_ scales gradients by so their global norm is at
 * most maxNorm: max_norm / (norm + 1e-6) when that is < 1, else 1.
 */
export function gradClipScale(norm: number, maxNorm: number): number {
  const coef = maxNorm / (norm + 1e-6);
  return coef < 1 ? coef : 1;
}

/** Scales grads in place so their global L2 norm is at most maxNorm; returns the norm before. */
export function clipGradNorm(grads: Float32Array, maxNorm: number): number {
  const norm = gradNorm(grads);
  const coef = gradClipScale(norm, maxNorm);
  if (coef < 1) for (let i = 0; i < grads.length; i++) grads[i]! *= coef;
  return norm;
}
