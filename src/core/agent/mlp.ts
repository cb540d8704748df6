/**
 * A tiny multilayer perceptron on Float32Array, written for the PPO agent.
 *
 * Each operation is a forward/backward pair that sits right after its formula (as in karpathy's
 * micrograd). Batches are row-major: row r of an `n x k` batch is `x.subarray(r*k, (r+1)*k)`.
 * Parameters of a network live in one flat Float32Array with a gradient buffer of the same shape,
 * so Adam, global-norm clipping and checkpoints each deal with a single vector.
 *
 * The linear layers are matrix products over the batch. They run as the float32x4 WebAssembly
 * kernels of `wasmKernels.ts` on buffers that live in a `KernelArena` (no copies when the
 * parameters and activations were allocated there, as `PpoAgent` does; other arrays are copied in
 * and out), and as JS kernels blocked into 4 x 4 register tiles (float64 sums) where WebAssembly
 * SIMD is unavailable. The two paths agree to float32 rounding, not to the bit; each is
 * deterministic, and its results do not depend on the batch size (row r of a batch equals the
 * same row alone, a test checks it).
 */
import type { Rng } from '../util/rng';
import { kernelFor, KernelArena } from './kernelArena';

// ---- linear: y = x W^T + b  (W is out x in, row-major), optionally followed by tanh ----------

/**
 * y = act(x W^T + b) with act = tanh when `tanh` is set (backward needs only its output).
 * The WebAssembly kernel when available (tanh fused into it), else the JS one.
 */
export function linearForward(
  x: Float32Array, n: number, inDim: number, W: Float32Array, b: Float32Array, outDim: number, y: Float32Array, tanh = false,
): void {
  const k = kernelFor(W, x, y);
  if (k) return k.linearForward(x, n, inDim, W, b, outDim, y, tanh);
  linearForwardJs(x, n, inDim, W, b, outDim, y);
  if (tanh) tanhForward(y, n * outDim, y);
}

/**
 * The JS kernel: y = x W^T + b. A 4-row x 4-output tile keeps 16 float64 sums in registers while
 * it walks the input index.
 */
export function linearForwardJs(x: Float32Array, n: number, inDim: number, W: Float32Array, b: Float32Array, outDim: number, y: Float32Array): void {
  let r = 0;
  for (; r + 3 < n; r += 4) {
    const xa = r * inDim, xb = xa + inDim, xc = xb + inDim, xd = xc + inDim;
    let o = 0;
    for (; o + 3 < outDim; o += 4) {
      const w0 = o * inDim, w1 = w0 + inDim, w2 = w1 + inDim, w3 = w2 + inDim;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0, d0 = 0, d1 = 0, d2 = 0, d3 = 0;
      for (let i = 0; i < inDim; i++) {
        const q0 = W[w0 + i]!, q1 = W[w1 + i]!, q2 = W[w2 + i]!, q3 = W[w3 + i]!;
        let u = x[xa + i]!;
        a0 += q0 * u; a1 += q1 * u; a2 += q2 * u; a3 += q3 * u;
        u = x[xb + i]!;
        b0 += q0 * u; b1 += q1 * u; b2 += q2 * u; b3 += q3 * u;
        u = x[xc + i]!;
        c0 += q0 * u; c1 += q1 * u; c2 += q2 * u; c3 += q3 * u;
        u = x[xd + i]!;
        d0 += q0 * u; d1 += q1 * u; d2 += q2 * u; d3 += q3 * u;
      }
      const e0 = b[o]!, e1 = b[o + 1]!, e2 = b[o + 2]!, e3 = b[o + 3]!;
      let at = r * outDim + o;
      y[at] = e0 + a0; y[at + 1] = e1 + a1; y[at + 2] = e2 + a2; y[at + 3] = e3 + a3;
      at += outDim;
      y[at] = e0 + b0; y[at + 1] = e1 + b1; y[at + 2] = e2 + b2; y[at + 3] = e3 + b3;
      at += outDim;
      y[at] = e0 + c0; y[at + 1] = e1 + c1; y[at + 2] = e2 + c2; y[at + 3] = e3 + c3;
      at += outDim;
      y[at] = e0 + d0; y[at + 1] = e1 + d1; y[at + 2] = e2 + d2; y[at + 3] = e3 + d3;
    }
    for (; o < outDim; o++) {
      const wo = o * inDim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let i = 0; i < inDim; i++) {
        const q = W[wo + i]!;
        s0 += q * x[xa + i]!; s1 += q * x[xb + i]!; s2 += q * x[xc + i]!; s3 += q * x[xd + i]!;
      }
      const e = b[o]!;
      y[r * outDim + o] = e + s0;
      y[(r + 1) * outDim + o] = e + s1;
      y[(r + 2) * outDim + o] = e + s2;
      y[(r + 3) * outDim + o] = e + s3;
    }
  }
  for (; r < n; r++) {
    const xo = r * inDim;
    for (let o = 0; o < outDim; o++) {
      const wo = o * inDim;
      let s = 0;
      for (let i = 0; i < inDim; i++) s += W[wo + i]! * x[xo + i]!;
      y[r * outDim + o] = b[o]! + s;
    }
  }
}

/**
 * dW += dy^T x, db += sum_r dy, dx = dy W (dx null when x is the network input; with
 * `tanhOut`, dx is multiplied by tanh's derivative 1 - x^2, x being the previous tanh's output).
 * Gradients accumulate so several losses can add into one buffer; zero them before a step.
 *
 * WebAssembly when available (dW summed over the batch in registers, then added), else JS.
 */
export function linearBackward(
  x: Float32Array, dy: Float32Array, n: number, inDim: number, W: Float32Array, outDim: number,
  dW: Float32Array, db: Float32Array, dx: Float32Array | null, tanhOut = false,
): void {
  const k = kernelFor(W, x, dy);
  if (k) {
    k.weightGrad(x, dy, n, inDim, outDim, dW);
    biasGrad(dy, n, outDim, db);
    if (dx) k.inputGrad(dy, n, inDim, W, outDim, dx, tanhOut ? x : null);
    return;
  }
  weightGradJs(x, dy, n, inDim, outDim, dW, db);
  if (dx) inputGradJs(dy, n, inDim, W, outDim, dx, tanhOut ? x : null);
}

/** db += sum_r dy[r], added in groups of four rows as `weightGradJs` does. */
function biasGrad(dy: Float32Array, n: number, outDim: number, db: Float32Array): void {
  for (let o = 0; o < outDim; o++) {
    let r = 0;
    for (; r + 3 < n; r += 4) db[o]! += dy[r * outDim + o]! + dy[(r + 1) * outDim + o]! + dy[(r + 2) * outDim + o]! + dy[(r + 3) * outDim + o]!;
    for (; r < n; r++) db[o]! += dy[r * outDim + o]!;
  }
}

/**
 * The JS kernel for dW and db: a tile of 4 outputs x 4 batch rows keeps its 16 upstream gradients
 * in registers while it walks the input index; the four rows' products are summed in float64.
 */
export function weightGradJs(x: Float32Array, dy: Float32Array, n: number, inDim: number, outDim: number, dW: Float32Array, db: Float32Array): void {
  let o = 0;
  for (; o + 3 < outDim; o += 4) {
    const w0 = o * inDim, w1 = w0 + inDim, w2 = w1 + inDim, w3 = w2 + inDim;
    let r = 0;
    for (; r + 3 < n; r += 4) {
      const ya = r * outDim + o, yb = ya + outDim, yc = yb + outDim, yd = yc + outDim;
      const a0 = dy[ya]!, a1 = dy[ya + 1]!, a2 = dy[ya + 2]!, a3 = dy[ya + 3]!;
      const b0 = dy[yb]!, b1 = dy[yb + 1]!, b2 = dy[yb + 2]!, b3 = dy[yb + 3]!;
      const c0 = dy[yc]!, c1 = dy[yc + 1]!, c2 = dy[yc + 2]!, c3 = dy[yc + 3]!;
      const d0 = dy[yd]!, d1 = dy[yd + 1]!, d2 = dy[yd + 2]!, d3 = dy[yd + 3]!;
      db[o]! += a0 + b0 + c0 + d0;
      db[o + 1]! += a1 + b1 + c1 + d1;
      db[o + 2]! += a2 + b2 + c2 + d2;
      db[o + 3]! += a3 + b3 + c3 + d3;
      const xa = r * inDim, xb = xa + inDim, xc = xb + inDim, xd = xc + inDim;
      for (let i = 0; i < inDim; i++) {
        const p = x[xa + i]!, q = x[xb + i]!, s = x[xc + i]!, t = x[xd + i]!;
        dW[w0 + i]! += a0 * p + b0 * q + c0 * s + d0 * t;
        dW[w1 + i]! += a1 * p + b1 * q + c1 * s + d1 * t;
        dW[w2 + i]! += a2 * p + b2 * q + c2 * s + d2 * t;
        dW[w3 + i]! += a3 * p + b3 * q + c3 * s + d3 * t;
      }
    }
    for (; r < n; r++) for (let k = o; k < o + 4; k++) rowIntoGrad(x, dy, r, k, inDim, outDim, dW, db);
  }
  for (; o < outDim; o++) {
    const wo = o * inDim;
    let r = 0;
    for (; r + 3 < n; r += 4) {
      const g0 = dy[r * outDim + o]!, g1 = dy[(r + 1) * outDim + o]!, g2 = dy[(r + 2) * outDim + o]!, g3 = dy[(r + 3) * outDim + o]!;
      db[o]! += g0 + g1 + g2 + g3;
      const x0 = r * inDim, x1 = x0 + inDim, x2 = x1 + inDim, x3 = x2 + inDim;
      for (let i = 0; i < inDim; i++) dW[wo + i]! += g0 * x[x0 + i]! + g1 * x[x1 + i]! + g2 * x[x2 + i]! + g3 * x[x3 + i]!;
    }
    for (; r < n; r++) rowIntoGrad(x, dy, r, o, inDim, outDim, dW, db);
  }
}

/** dW[o] += dy[r, o] x[r]; db[o] += dy[r, o] (batch rows left over after the groups of four). */
function rowIntoGrad(x: Float32Array, dy: Float32Array, r: number, o: number, inDim: number, outDim: number, dW: Float32Array, db: Float32Array): void {
  const g = dy[r * outDim + o]!;
  db[o]! += g;
  const xo = r * inDim, wo = o * inDim;
  for (let i = 0; i < inDim; i++) dW[wo + i]! += g * x[xo + i]!;
}

/**
 * The JS kernel for dx = dy W, each element summed over the outputs in order in float32, two
 * rows x four inputs in registers. With `tanhY`, then times 1 - y^2.
 */
export function inputGradJs(dy: Float32Array, n: number, inDim: number, W: Float32Array, outDim: number, dx: Float32Array, tanhY: Float32Array | null): void {
  const f = Math.fround;
  let r = 0;
  for (; r + 1 < n; r += 2) {
    const ya = r * outDim, yb = ya + outDim, xa = r * inDim, xb = xa + inDim;
    let i = 0;
    for (; i + 3 < inDim; i += 4) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      for (let o = 0; o < outDim; o++) {
        const g = dy[ya + o]!, h = dy[yb + o]!, wo = o * inDim + i;
        const q0 = W[wo]!, q1 = W[wo + 1]!, q2 = W[wo + 2]!, q3 = W[wo + 3]!;
        a0 = f(a0 + g * q0); a1 = f(a1 + g * q1); a2 = f(a2 + g * q2); a3 = f(a3 + g * q3);
        b0 = f(b0 + h * q0); b1 = f(b1 + h * q1); b2 = f(b2 + h * q2); b3 = f(b3 + h * q3);
      }
      dx[xa + i] = a0; dx[xa + i + 1] = a1; dx[xa + i + 2] = a2; dx[xa + i + 3] = a3;
      dx[xb + i] = b0; dx[xb + i + 1] = b1; dx[xb + i + 2] = b2; dx[xb + i + 3] = b3;
    }
    for (; i < inDim; i++) {
      let a = 0, c = 0;
      for (let o = 0; o < outDim; o++) {
        const q = W[o * inDim + i]!;
        a = f(a + dy[ya + o]! * q);
        c = f(c + dy[yb + o]! * q);
      }
      dx[xa + i] = a; dx[xb + i] = c;
    }
  }
  for (; r < n; r++) {
    const yo = r * outDim, xo = r * inDim;
    for (let i = 0; i < inDim; i++) {
      let a = 0;
      for (let o = 0; o < outDim; o++) a = f(a + dy[yo + o]! * W[o * inDim + i]!);
      dx[xo + i] = a;
    }
  }
  if (tanhY) tanhBackward(tanhY, dx, n * inDim, dx);
}

// ---- tanh: y = tanh(x);  dx = dy (1 - y^2) -------------------------------------------------

export function tanhForward(x: Float32Array, len: number, y: Float32Array): void {
  for (let i = 0; i < len; i++) y[i] = Math.tanh(x[i]!);
}

export function tanhBackward(y: Float32Array, dy: Float32Array, len: number, dx: Float32Array): void {
  for (let i = 0; i < len; i++) {
    const v = y[i]!;
    dx[i] = dy[i]! * (1 - v * v);
  }
}

// ---- softmax over each row: p_j = exp(z_j - max) / sum_k exp(z_k - max) ----------------------

export function softmaxForward(z: Float32Array, n: number, k: number, p: Float32Array): void {
  for (let r = 0; r < n; r++) {
    const o = r * k;
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, z[o + j]!);
    let s = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(z[o + j]! - m);
      p[o + j] = e;
      s += e;
    }
    for (let j = 0; j < k; j++) p[o + j]! /= s;
  }
}

/** dz_j = p_j (dp_j - sum_k p_k dp_k) */
export function softmaxBackward(p: Float32Array, dp: Float32Array, n: number, k: number, dz: Float32Array): void {
  for (let r = 0; r < n; r++) {
    const o = r * k;
    let dot = 0;
    for (let j = 0; j < k; j++) dot += p[o + j]! * dp[o + j]!;
    for (let j = 0; j < k; j++) dz[o + j] = p[o + j]! * (dp[o + j]! - dot);
  }
}

// ---- log-softmax: l_j = z_j - logsumexp(z)  (what the policy loss uses: stable log-probs) ----

export function logSoftmaxForward(z: Float32Array, n: number, k: number, l: Float32Array): void {
  for (let r = 0; r < n; r++) {
    const o = r * k;
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, z[o + j]!);
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(z[o + j]! - m);
    const lse = m + Math.log(s);
    for (let j = 0; j < k; j++) l[o + j] = z[o + j]! - lse;
  }
}

/** dz_j = dl_j - p_j sum_k dl_k, with p = exp(l). */
export function logSoftmaxBackward(l: Float32Array, dl: Float32Array, n: number, k: number, dz: Float32Array): void {
  for (let r = 0; r < n; r++) {
    const o = r * k;
    let sum = 0;
    for (let j = 0; j < k; j++) sum += dl[o + j]!;
    for (let j = 0; j < k; j++) dz[o + j] = dl[o + j]! - Math.exp(l[o + j]!) * sum;
  }
}

// ---- orthogonal init (as torch.nn.init.orthogonal_, which cleanrl's layer_init uses) ----------

/**
 * Fills W (rows x cols, row-major) with a (semi-)orthogonal matrix times `gain`: rows orthonormal
 * when rows <= cols, columns orthonormal otherwise. QR of a Gaussian matrix by modified
 * Gram-Schmidt in float64; MGS gives R a positive diagonal, which is torch's sign correction.
 */
export function orthogonalInit(W: Float32Array, rows: number, cols: number, gain: number, rng: Rng): void {
  const tall = rows >= cols;
  const n = tall ? rows : cols; // length of each vector to orthonormalise
  const m = tall ? cols : rows; // how many vectors
  const v: Float64Array[] = [];
  for (let j = 0; j < m; j++) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = rng.normal();
    for (const q of v) {
      let d = 0;
      for (let i = 0; i < n; i++) d += q[i]! * col[i]!;
      for (let i = 0; i < n; i++) col[i]! -= d * q[i]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += col[i]! * col[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) col[i]! /= norm;
    v.push(col);
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) W[r * cols + c] = gain * (tall ? v[c]![r]! : v[r]![c]!);
  }
}

// ---- the network: x -> [linear -> tanh]* -> linear ---------------------------------------------

export interface LayerView {
  inDim: number;
  outDim: number;
  W: Float32Array;
  b: Float32Array;
  dW: Float32Array;
  db: Float32Array;
}

/** Number of parameters of an MLP with these layer sizes (e.g. [768, 64, 64, 21]). */
export function mlpParamCount(sizes: readonly number[]): number {
  let n = 0;
  for (let i = 0; i + 1 < sizes.length; i++) n += sizes[i]! * sizes[i + 1]! + sizes[i + 1]!;
  return n;
}

/**
 * One output buffer per layer, grown to the largest batch seen and reused: a steady-state call
 * allocates no array data (only the `n`-row views, rebuilt when the batch size changes). The
 * buffers live in the parameters' kernel arena when they have one, so the kernels copy nothing.
 */
class Activations {
  private capacity = 0;
  private rows = -1;
  private store: Float32Array[] = [];
  /** views[i]: the first n rows of layer i's output buffer. */
  views: Float32Array[] = [];

  constructor(private readonly widths: readonly number[], private readonly arena: KernelArena | undefined) {}

  forBatch(n: number): Float32Array[] {
    if (n === this.rows) return this.views;
    if (n > this.capacity) {
      this.capacity = n;
      // A grown arena buffer is not reused (the arena has no free list); batches only grow.
      this.store = this.widths.map((w) => (this.arena ? this.arena.alloc(n * w) : new Float32Array(n * w)));
    }
    this.rows = n;
    this.views = this.store.map((buf, i) => buf.subarray(0, n * this.widths[i]!));
    return this.views;
  }
}

/**
 * An MLP whose weights are views into caller-owned flat buffers (`params`, `grads`). `forward`
 * with `train = true` keeps each layer's activations for `backward`; with `train = false` it uses
 * separate buffers and records nothing, so inference cannot corrupt a pending backward pass.
 */
export class Mlp {
  readonly layers: LayerView[] = [];
  /** Outputs of each layer: of the last train-mode forward, and scratch for inference. */
  private readonly trainActs: Activations;
  private readonly inferActs: Activations;
  /** dLoss/d(input of layer i) for i >= 1 (the network input needs no gradient). */
  private readonly inputGrads: Activations;
  /** Input and batch size of the last train-mode forward (null: nothing to differentiate). */
  private trainInput: Float32Array | null = null;
  private batch = 0;

  constructor(readonly sizes: readonly number[], params: Float32Array, grads: Float32Array) {
    if (sizes.length < 2) throw new Error('Mlp: need at least input and output sizes');
    if (params.length !== mlpParamCount(sizes) || grads.length !== params.length) {
      throw new Error(`Mlp: expected ${mlpParamCount(sizes)} parameters, got ${params.length} (grads ${grads.length})`);
    }
    let off = 0;
    for (let i = 0; i + 1 < sizes.length; i++) {
      const inDim = sizes[i]!;
      const outDim = sizes[i + 1]!;
      const w = inDim * outDim;
      this.layers.push({
        inDim, outDim,
        W: params.subarray(off, off + w), b: params.subarray(off + w, off + w + outDim),
        dW: grads.subarray(off, off + w), db: grads.subarray(off + w, off + w + outDim),
      });
      off += w + outDim;
    }
    const arena = KernelArena.of(params);
    this.trainActs = new Activations(sizes.slice(1), arena);
    this.inferActs = new Activations(sizes.slice(1), arena);
    this.inputGrads = new Activations(sizes.slice(1, -1), arena);
  }

  get inDim(): number { return this.sizes[0]!; }
  get outDim(): number { return this.sizes[this.sizes.length - 1]!; }

  /** Orthogonal weights (hidden gain, output gain), zero biases: cleanrl's layer_init. */
  init(rng: Rng, hiddenGain: number, outputGain: number): void {
    this.layers.forEach((L, i) => {
      orthogonalInit(L.W, L.outDim, L.inDim, i === this.layers.length - 1 ? outputGain : hiddenGain, rng);
      L.b.fill(0);
    });
  }

  /**
   * Output (n x outDim) for a batch x (n x inDim). The returned array is this network's buffer,
   * overwritten by the next forward of the same mode; a train-mode forward keeps a reference to x,
   * which must not change before `backward`.
   */
  forward(x: Float32Array, n: number, train: boolean): Float32Array {
    const outs = (train ? this.trainActs : this.inferActs).forBatch(n);
    const last = this.layers.length - 1;
    let cur = x;
    for (let i = 0; i <= last; i++) {
      const L = this.layers[i]!;
      linearForward(cur, n, L.inDim, L.W, L.b, L.outDim, outs[i]!, i < last);
      cur = outs[i]!;
    }
    if (train) {
      this.trainInput = x;
      this.batch = n;
    }
    return cur;
  }

  /** Accumulates parameter gradients for the last train-mode forward, given dLoss/dOutput. */
  backward(dOut: Float32Array): void {
    const x0 = this.trainInput;
    if (!x0) throw new Error('Mlp.backward: no train-mode forward to differentiate');
    const n = this.batch;
    const outs = this.trainActs.views;
    const dxs = this.inputGrads.forBatch(n);
    let dy = dOut;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const L = this.layers[i]!;
      const x = i > 0 ? outs[i - 1]! : x0;
      const dx = i > 0 ? dxs[i - 1]! : null;
      // x is the tanh output of layer i-1, so dx gets tanh's derivative in the same pass.
      linearBackward(x, dy, n, L.inDim, L.W, L.outDim, L.dW, L.db, dx, true);
      if (dx) dy = dx;
    }
    this.trainInput = null;
  }
}
