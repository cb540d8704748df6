/** Reference copy of the pre-2026-12 kernel, for the benchmark and equivalence tests only (see ./ppo.ts). */
/**
 * A tiny multilayer perceptron on Float32Array, written for the PPO agent.
 *
 * Each operation is a forward/backward pair that sits right after its formula (as in karpathy's
 * micrograd): the backward takes the forward's inputs or outputs and the upstream gradient and
 * returns (or accumulates) the downstream gradients. Batches are row-major: row n of an
 * `n x k` batch is `x.subarray(n*k, (n+1)*k)`.
 *
 * Parameters of a network live in one flat Float32Array with a gradient buffer of the same shape,
 * so Adam, global-norm clipping and checkpoints each deal with a single vector.
 */
import type { Rng } from '../../util/rng';

// ---- linear: y = x W^T + b  (W is out x in, row-major) ---------------------------------------

export function linearForward(x: Float32Array, n: number, inDim: number, W: Float32Array, b: Float32Array, outDim: number, y: Float32Array): void {
  // Four outputs at a time: each x value loaded once feeds four dot products (V8 does not
  // vectorise; fewer loads per multiply-add is what makes this loop faster).
  for (let r = 0; r < n; r++) {
    const xo = r * inDim;
    const yo = r * outDim;
    let o = 0;
    for (; o + 3 < outDim; o += 4) {
      const w0 = o * inDim, w1 = w0 + inDim, w2 = w1 + inDim, w3 = w2 + inDim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let i = 0; i < inDim; i++) {
        const xi = x[xo + i]!;
        s0 += W[w0 + i]! * xi;
        s1 += W[w1 + i]! * xi;
        s2 += W[w2 + i]! * xi;
        s3 += W[w3 + i]! * xi;
      }
      y[yo + o] = b[o]! + s0;
      y[yo + o + 1] = b[o + 1]! + s1;
      y[yo + o + 2] = b[o + 2]! + s2;
      y[yo + o + 3] = b[o + 3]! + s3;
    }
    for (; o < outDim; o++) {
      const wo = o * inDim;
      let s0 = 0;
      for (let i = 0; i < inDim; i++) s0 += W[wo + i]! * x[xo + i]!;
      y[yo + o] = b[o]! + s0;
    }
  }
}

/**
 * dW += dy^T x, db += sum_n dy, dx = dy W (dx may be null when x is the network input).
 * Gradients accumulate so several losses can add into one buffer; zero them before a step.
 */
export function linearBackward(
  x: Float32Array, dy: Float32Array, n: number, inDim: number, W: Float32Array, outDim: number,
  dW: Float32Array, db: Float32Array, dx: Float32Array | null,
): void {
  // dW and db: four batch rows at a time, so each dW element is loaded and stored once per four
  // multiply-adds.
  for (let o = 0; o < outDim; o++) {
    const wo = o * inDim;
    let r = 0;
    for (; r + 3 < n; r += 4) {
      const g0 = dy[r * outDim + o]!, g1 = dy[(r + 1) * outDim + o]!, g2 = dy[(r + 2) * outDim + o]!, g3 = dy[(r + 3) * outDim + o]!;
      db[o]! += g0 + g1 + g2 + g3;
      const x0 = r * inDim, x1 = x0 + inDim, x2 = x1 + inDim, x3 = x2 + inDim;
      for (let i = 0; i < inDim; i++) dW[wo + i]! += g0 * x[x0 + i]! + g1 * x[x1 + i]! + g2 * x[x2 + i]! + g3 * x[x3 + i]!;
    }
    for (; r < n; r++) {
      const g = dy[r * outDim + o]!;
      db[o]! += g;
      const xo = r * inDim;
      for (let i = 0; i < inDim; i++) dW[wo + i]! += g * x[xo + i]!;
    }
  }
  if (!dx) return;
  dx.fill(0, 0, n * inDim);
  for (let r = 0; r < n; r++) {
    const xo = r * inDim;
    const yo = r * outDim;
    for (let o = 0; o < outDim; o++) {
      const g = dy[yo + o]!;
      if (g === 0) continue;
      const wo = o * inDim;
      for (let i = 0; i < inDim; i++) dx[xo + i]! += g * W[wo + i]!;
    }
  }
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
 * An MLP whose weights are views into caller-owned flat buffers (`params`, `grads`). `forward`
 * with `train = true` keeps each layer's activations for `backward`; with `train = false` it uses
 * scratch buffers and records nothing, so inference cannot corrupt a pending backward pass.
 */
export class Mlp {
  readonly layers: LayerView[] = [];
  /** Activations of the last train-mode forward: acts[0] = input, acts[i] = output of layer i. */
  private acts: Float32Array[] = [];
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

  /** Output (n x outDim) for a batch x (n x inDim). The returned array is reused by the next call. */
  forward(x: Float32Array, n: number, train: boolean): Float32Array {
    if (train) this.acts = [x];
    let cur = x;
    const last = this.layers.length - 1;
    for (let i = 0; i <= last; i++) {
      const L = this.layers[i]!;
      const out = new Float32Array(n * L.outDim);
      linearForward(cur, n, L.inDim, L.W, L.b, L.outDim, out);
      if (i < last) tanhForward(out, n * L.outDim, out); // in place: backward needs only tanh's output
      if (train) this.acts.push(out);
      cur = out;
    }
    if (train) this.batch = n;
    return cur;
  }

  /** Accumulates parameter gradients for the last train-mode forward, given dLoss/dOutput. */
  backward(dOut: Float32Array): void {
    const n = this.batch;
    if (this.acts.length !== this.layers.length + 1) throw new Error('Mlp.backward: no train-mode forward to differentiate');
    let dy = dOut;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const L = this.layers[i]!;
      const x = this.acts[i]!;
      const dx = i > 0 ? new Float32Array(n * L.inDim) : null;
      linearBackward(x, dy, n, L.inDim, L.W, L.outDim, L.dW, L.db, dx);
      if (dx) tanhBackward(x, dx, n * L.inDim, dx); // x = tanh output of layer i-1
      if (dx) dy = dx;
    }
    this.acts = [];
  }
}
