/**
 * A WebAssembly memory that the PPO agent's buffers live in, with the SIMD kernels of
 * `wasmKernels.ts` bound to it. Parameters, gradients, Adam's moments, activations and the
 * minibatch are allocated here once (`alloc`), so a training step runs with no copy between JS
 * and WebAssembly: JS reads and writes the same bytes through Float32Array views.
 *
 * The memory is shared (SharedArrayBuffer-backed) only so that growing it never detaches the
 * views already handed out: a non-shared memory's buffer is invalidated by `grow`. Nothing is
 * shared between threads. Memory is freed with the arena (garbage collected with its views).
 *
 * Operands that are not views into the arena (plain Float32Arrays, e.g. in tests) are copied into
 * a scratch area for the call and results copied back, so every function takes any Float32Array.
 */
import { FORWARD_TILES, NN_TILES, fwdName, kernelModule, nnName, type NnMode } from './wasmKernels';

/** The part of the WebAssembly API used here (the project's TS libs do not declare it). */
interface WasmMemory { readonly buffer: ArrayBufferLike; grow(pages: number): number }
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

type Fwd = (x: number, ldx: number, w: number, ldw: number, b: number, y: number, ldy: number, r0: number, r1: number, o0: number, o1: number, inDim: number, tanh: number) => void;
type Nn = (a: number, aP: number, aT: number, b: number, ldb: number, c: number, ldc: number, h: number, ldh: number, p0: number, p1: number, i0: number, i1: number, t: number) => void;
type AdamFn = (p: number, g: number, m: number, v: number, from: number, to: number, b1: number, c1: number, b2: number, c2: number, stepSize: number, invSqrtC2: number, eps: number, scale: number) => void;

const PAGE = 65536;
/** 1 GiB: far above any agent here (a 768-d agent needs ~2 MB); address space only. */
const MAX_PAGES = 16384;

let compiled: object | null | undefined;
function compiledModule(wa: WasmApi): object | null {
  if (compiled === undefined) {
    try {
      compiled = new wa.Module(kernelModule(MAX_PAGES));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Which arena, if any, owns a buffer (each `grow` gives the memory a new buffer object). */
const owners = new WeakMap<ArrayBufferLike, KernelArena>();

/** Adam's hyperparameters for one step (see `adam.ts`). */
export interface AdamStep { beta1: number; beta2: number; stepSize: number; invSqrtC2: number; eps: number; gradScale: number }

export class KernelArena {
  private top = 0;
  private scratchAt = 0;
  private scratchBytes = 0;
  private scratchTop = 0;
  private readonly fwd: Record<string, Fwd> = {};
  private readonly nn: Record<string, Nn> = {};
  private readonly adam4: AdamFn;
  private readonly adam1: AdamFn;
  private readonly sumsqFn: (g: number, len: number) => number;

  private constructor(private readonly memory: WasmMemory, exports: Record<string, unknown>) {
    for (const [R, O] of FORWARD_TILES) this.fwd[fwdName(R, O)] = exports[fwdName(R, O)] as Fwd;
    for (const [P, V] of NN_TILES) for (const m of ['store', 'acc', 'dtanh'] as const) this.nn[nnName(P, V, m)] = exports[nnName(P, V, m)] as Nn;
    this.adam4 = exports.adam4 as AdamFn;
    this.adam1 = exports.adam1 as AdamFn;
    this.sumsqFn = exports.sumsq as (g: number, len: number) => number;
    this.top = 16; // address 0 stays unused
    owners.set(memory.buffer, this);
  }

  /** A new arena, or null where WebAssembly SIMD or shared memory is unavailable (JS kernels then). */
  static create(): KernelArena | null {
    if (disabled) return null;
    const wa = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (!wa) return null;
    const mod = compiledModule(wa);
    if (!mod) return null;
    try {
      const memory = new wa.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
      return new KernelArena(memory, new wa.Instance(mod, { env: { mem: memory } }).exports);
    } catch {
      return null;
    }
  }

  /** A shared arena for operands that belong to none (created on first use). */
  static default(): KernelArena | null {
    if (defaultArena === undefined) defaultArena = KernelArena.create();
    return defaultArena;
  }

  /** The arena whose memory holds `a`, if any. */
  static of(a: Float32Array): KernelArena | undefined {
    return owners.get(a.buffer);
  }

  /** `floats` zeroed float32s, 16-byte aligned, valid as long as the view is reachable. */
  alloc(floats: number): Float32Array {
    const at = this.reserve(4 * floats);
    return new Float32Array(this.memory.buffer, at, floats);
  }

  private reserve(bytes: number): number {
    const at = this.top;
    const end = at + ((bytes + 15) & ~15);
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      this.memory.grow(Math.ceil((end - have) / PAGE));
      owners.set(this.memory.buffer, this);
    }
    this.top = end;
    return at;
  }

  // ---- operands: views into this memory, or copies in scratch -----------------------------------

  private begin(): void {
    this.scratchTop = 0;
  }

  /** Byte address of `a` (its first `len` floats), copying it into scratch unless it lives here. */
  private addr(a: Float32Array, len: number, copyIn = true): number {
    if (owners.get(a.buffer) === this) return a.byteOffset;
    const bytes = (4 * len + 15) & ~15;
    if (this.scratchTop + bytes > this.scratchBytes) this.growScratch(this.scratchTop + bytes);
    const at = this.scratchAt + this.scratchTop;
    this.scratchTop += bytes;
    if (copyIn) new Float32Array(this.memory.buffer, at, len).set(a.subarray(0, len));
    return at;
  }

  private growScratch(need: number): void {
    // Operands already placed in scratch during this call are moved along.
    const keep = this.scratchTop;
    const bytes = Math.max(need, 2 * this.scratchBytes, 4096);
    const at = this.reserve(bytes);
    if (keep) new Uint8Array(this.memory.buffer).copyWithin(at, this.scratchAt, this.scratchAt + keep);
    this.scratchAt = at;
    this.scratchBytes = bytes;
  }

  /** Copies a scratch result back to `a` (no-op when `a` lives here). */
  private copyOut(a: Float32Array, at: number, len: number): void {
    if (owners.get(a.buffer) !== this) a.set(new Float32Array(this.memory.buffer, at, len));
  }

  // ---- the kernels ------------------------------------------------------------------------------

  /** y = x W^T + b (W out x in, row-major), then tanh when `tanh` is set. */
  linearForward(x: Float32Array, n: number, inDim: number, W: Float32Array, b: Float32Array, outDim: number, y: Float32Array, tanh: boolean): void {
    if (n === 0 || outDim === 0) return;
    this.begin();
    const xa = this.addr(x, n * inDim), wa = this.addr(W, outDim * inDim), ba = this.addr(b, outDim);
    const ya = this.addr(y, n * outDim, false);
    const n2 = n & ~1, o4 = outDim & ~3, t = tanh ? 1 : 0;
    const run = (R: number, O: number, r0: number, r1: number, o0: number, o1: number) => {
      if (r1 > r0 && o1 > o0) this.fwd[fwdName(R, O)]!(xa, 4 * inDim, wa, 4 * inDim, ba, ya, 4 * outDim, r0, r1, o0, o1, inDim, t);
    };
    run(2, 4, 0, n2, 0, o4);
    run(2, 1, 0, n2, o4, outDim);
    run(1, 4, n2, n, 0, o4);
    run(1, 1, n2, n, o4, outDim);
    this.copyOut(y, ya, n * outDim);
  }

  /**
   * C (P x I, row stride ldc floats) (+)= A B where A(p, t) = a[p aP + t aT] and B is T x I
   * (row stride ldb); `dtanh` multiplies each stored element by 1 - H[p][i]^2.
   */
  private gemm(a: number, aP: number, aT: number, b: number, ldb: number, c: number, ldc: number, h: number, ldh: number, P: number, I: number, T: number, mode: NnMode): void {
    const p4 = P & ~3, i8 = I & ~7, i4 = I & ~3;
    const run = (tp: number, tv: number, p0: number, p1: number, i0: number, i1: number) => {
      if (p1 > p0 && i1 > i0) this.nn[nnName(tp, tv, mode)]!(a, 4 * aP, 4 * aT, b, 4 * ldb, c, 4 * ldc, h, 4 * ldh, p0, p1, i0, i1, T);
    };
    for (const [tp, p0, p1] of [[4, 0, p4], [1, p4, P]] as const) {
      run(tp, 2, p0, p1, 0, i8);
      run(tp, 1, p0, p1, i8, i4);
      run(tp, 0, p0, p1, i4, I);
    }
  }

  /** dW += dy^T x (dW out x in): sum over the batch rows in order, then added to dW. */
  weightGrad(x: Float32Array, dy: Float32Array, n: number, inDim: number, outDim: number, dW: Float32Array): void {
    if (n === 0) return;
    this.begin();
    const xa = this.addr(x, n * inDim), ga = this.addr(dy, n * outDim), wa = this.addr(dW, outDim * inDim);
    this.gemm(ga, 1, outDim, xa, inDim, wa, inDim, 0, 0, outDim, inDim, n, 'acc');
    this.copyOut(dW, wa, outDim * inDim);
  }

  /** dx = dy W (n x in), times 1 - h^2 when `tanhY` (the layer input, a tanh output) is given. */
  inputGrad(dy: Float32Array, n: number, inDim: number, W: Float32Array, outDim: number, dx: Float32Array, tanhY: Float32Array | null): void {
    if (n === 0) return;
    this.begin();
    const ga = this.addr(dy, n * outDim), wa = this.addr(W, outDim * inDim);
    const ha = tanhY ? this.addr(tanhY, n * inDim) : 0;
    const xa = this.addr(dx, n * inDim, false);
    this.gemm(ga, outDim, 1, wa, inDim, xa, inDim, ha, inDim, n, inDim, outDim, tanhY ? 'dtanh' : 'store');
    this.copyOut(dx, xa, n * inDim);
  }

  /** One Adam step over p, g, m, v (same length; see `adam.ts`), in place. */
  adam(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, s: AdamStep): void {
    const len = p.length;
    this.begin();
    const pa = this.addr(p, len), ga = this.addr(g, len), ma = this.addr(m, len), va = this.addr(v, len);
    const l4 = len & ~3;
    const args = [s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, s.stepSize, s.invSqrtC2, s.eps, s.gradScale] as const;
    if (l4) this.adam4(pa, ga, ma, va, 0, l4, ...args);
    if (len > l4) this.adam1(pa, ga, ma, va, l4, len, ...args);
    this.copyOut(p, pa, len);
    this.copyOut(m, ma, len);
    this.copyOut(v, va, len);
  }

  /** Sum of squares (float64 accumulation). */
  sumSquares(g: Float32Array): number {
    this.begin();
    return this.sumsqFn(this.addr(g, g.length), g.length);
  }
}

let defaultArena: KernelArena | null | undefined;
let disabled = false;

/**
 * The arena to run a kernel in: the first operand's that lives in one, else the shared default;
 * null when the WebAssembly kernels are unavailable or turned off (the caller runs JS).
 */
export function kernelFor(...operands: Float32Array[]): KernelArena | null {
  if (disabled) return null;
  for (const a of operands) {
    const k = owners.get(a.buffer);
    if (k) return k;
  }
  return KernelArena.default();
}

/**
 * Turns the WebAssembly kernels off (true) or on again, for tests of the JS fallback; arenas made
 * before keep working. Returns the previous setting.
 */
export function disableWasmKernels(off: boolean): boolean {
  const was = disabled;
  disabled = off;
  return was;
}
