/**
 * The linear layer's forward pass and weight gradient as WebAssembly SIMD kernels, for the layers
 * whose batch and output sizes allow four-row tiles (the 768 -> 64 input layers do 90% of the
 * work).
 *
 * Why float64x2 and not float32x4: the kernel must give the JS kernels' numbers to the bit (the
 * trained agent may not change). It computes each dot product over the input index in order in
 * float64, as V8 does for the JS loops: f64x2 multiply and add are IEEE operations like JS's (no
 * fused multiply-add), two outputs per instruction. A 4-row x 4-output tile keeps eight f64x2
 * sums in registers; W is copied transposed (input-major) so the four outputs of one input are
 * adjacent. The module is a few hundred bytes written here, not a dependency: no build step, and
 * it loads wherever WebAssembly SIMD does (Node 16.4+, VS Code's extension host). Where it does
 * not, `wasmLinearForward` returns false and the caller runs the JS kernel.
 */

// ---- a minimal WebAssembly binary writer (just what the kernel uses) --------------------------

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

const I32 = 0x7f, V128 = 0x7b;
const get = (i: number) => [0x20, ...uleb(i)], set = (i: number) => [0x21, ...uleb(i)], tee = (i: number) => [0x22, ...uleb(i)];
const i32 = (v: number) => [0x41, ...sleb(v)];
const ADD = [0x6a], MUL = [0x6c], SHL = [0x74], GE_S = [0x4e];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const mem = (alignLog2: number, offset: number) => [...uleb(alignLog2), ...uleb(offset)];
/** Two float32 at addr+offset, widened to an f64x2. */
const loadPairF64 = (offset: number) => [...simd(0x5d, ...mem(3, offset)), ...simd(0x5f)]; // v128.load64_zero; f64x2.promote_low_f32x4
/** One float32 at addr, widened and splatted to an f64x2. */
const loadSplatF64 = [0x2a, ...mem(2, 0), 0xbb, ...simd(0x14)]; // f32.load; f64.promote_f32; f64x2.splat
const F64X2_ADD = simd(0xf0), F64X2_MUL = simd(0xf2);
const storeV128 = (offset: number) => simd(0x0b, ...mem(4, offset));
const ZERO_V128 = simd(0x0c, ...new Array<number>(16).fill(0));
const F64X2_DEMOTE_TO_F32 = simd(0x5e); // f32x4.demote_f64x2_zero
/** Stores the low two float32 lanes (8 bytes) at addr+offset. */
const storeLowPair = (offset: number) => simd(0x5b, ...mem(3, offset), 0); // v128.store64_lane 0
/** One float32 at addr+offset, widened and splatted to an f64x2. */
const loadSplatF64At = (offset: number) => [0x2a, ...mem(2, offset), 0xbb, ...simd(0x14)];
const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], END = [0x0b], BR_LOOP = [0x0c, 0], BREAK_IF = [0x0d, 1];

/**
 * fwd(x, n, inDim, wt, outDim, s): s[r][o] = sum_i x[r][i] * wt[i][o] in float64, i in order,
 * for n and outDim multiples of 4 (byte addresses; x, wt float32; s float64).
 */
function forwardCode(): number[] {
  const X = 0, N = 1, IN = 2, WT = 3, OUT = 4, S = 5;
  const r = 6, o = 7, i = 8, xa = 9, xb = 10, xc = 11, xd = 12, wp = 13, rowBytes = 14, wStride = 15;
  const acc = (k: number) => 16 + k, w01 = 24, w23 = 25, u = 26;
  const c: number[][] = [];
  const loopWhileLess = (v: number, limit: number[], body: number[][], step: number[]) => {
    c.push(BLOCK, LOOP, get(v), limit, GE_S, BREAK_IF);
    c.push(...body);
    c.push(step, BR_LOOP, END, END);
  };
  c.push(get(IN), i32(2), SHL, set(rowBytes), get(OUT), i32(2), SHL, set(wStride), i32(0), set(r));
  // rows in fours: r + 3 < n
  c.push(BLOCK, LOOP, get(r), i32(3), ADD, get(N), GE_S, BREAK_IF, i32(0), set(o));
  c.push(BLOCK, LOOP, get(o), i32(3), ADD, get(OUT), GE_S, BREAK_IF);
  for (let k = 0; k < 8; k++) c.push(ZERO_V128, set(acc(k)));
  c.push(get(X), get(r), get(rowBytes), MUL, ADD, tee(xa), get(rowBytes), ADD, tee(xb), get(rowBytes), ADD, tee(xc), get(rowBytes), ADD, set(xd));
  c.push(get(WT), get(o), i32(2), SHL, ADD, set(wp), i32(0), set(i));
  const inner: number[][] = [[...get(wp), ...loadPairF64(0)], set(w01), [...get(wp), ...loadPairF64(8)], set(w23)];
  [xa, xb, xc, xd].forEach((xp, k) => {
    inner.push(get(xp), loadSplatF64, set(u));
    inner.push(get(acc(2 * k)), get(u), get(w01), F64X2_MUL, F64X2_ADD, set(acc(2 * k)));
    inner.push(get(acc(2 * k + 1)), get(u), get(w23), F64X2_MUL, F64X2_ADD, set(acc(2 * k + 1)));
    inner.push(get(xp), i32(4), ADD, set(xp));
  });
  inner.push(get(wp), get(wStride), ADD, set(wp));
  loopWhileLess(i, get(IN), inner, [...get(i), ...i32(1), ...ADD, ...set(i)]);
  for (let k = 0; k < 4; k++) {
    c.push(get(S), get(r), i32(k), ADD, get(OUT), MUL, get(o), ADD, i32(3), SHL, ADD, set(wp));
    c.push(get(wp), get(acc(2 * k)), storeV128(0), get(wp), get(acc(2 * k + 1)), storeV128(16));
  }
  c.push(get(o), i32(4), ADD, set(o), BR_LOOP, END, END);
  c.push(get(r), i32(4), ADD, set(r), BR_LOOP, END, END, END);
  return [...vec([[...uleb(10), I32], [...uleb(11), V128]]), ...c.flat()];
}

/**
 * bwd(x, n, inDim, dy, outDim, dW): dW[o][i] += ((dy[r][o] x[r][i] + dy[r+1][o] x[r+1][i]) +
 * dy[r+2][o] x[r+2][i]) + dy[r+3][o] x[r+3][i], in float64, rounded to float32 after each group
 * of four rows (the JS kernel's grouping), for n a multiple of 4 and outDim, inDim even.
 * Two outputs x four rows: eight splatted upstream gradients, two inputs per f64x2.
 */
function backwardCode(): number[] {
  const X = 0, N = 1, IN = 2, DY = 3, OUT = 4, DW = 5;
  const o = 6, r = 7, i = 8, xa = 9, xb = 10, xc = 11, xd = 12, gp = 13, wa = 14, wb = 15, rowBytes = 16, outBytes = 17;
  const ga = (k: number) => 18 + k, gb = (k: number) => 22 + k, xv = (k: number) => 26 + k, p = 30;
  const c: number[][] = [];
  c.push(get(IN), i32(2), SHL, set(rowBytes), get(OUT), i32(2), SHL, set(outBytes), i32(0), set(o));
  c.push(BLOCK, LOOP, get(o), i32(1), ADD, get(OUT), GE_S, BREAK_IF, i32(0), set(r));
  c.push(BLOCK, LOOP, get(r), i32(3), ADD, get(N), GE_S, BREAK_IF);
  c.push(get(DY), get(r), get(OUT), MUL, get(o), ADD, i32(2), SHL, ADD, set(gp));
  for (let k = 0; k < 4; k++) {
    c.push(get(gp), loadSplatF64At(0), set(ga(k)), get(gp), loadSplatF64At(4), set(gb(k)));
    c.push(get(gp), get(outBytes), ADD, set(gp));
  }
  c.push(get(X), get(r), get(rowBytes), MUL, ADD, tee(xa), get(rowBytes), ADD, tee(xb), get(rowBytes), ADD, tee(xc), get(rowBytes), ADD, set(xd));
  c.push(get(DW), get(o), get(rowBytes), MUL, ADD, tee(wa), get(rowBytes), ADD, set(wb), i32(0), set(i));
  c.push(BLOCK, LOOP, get(i), get(IN), GE_S, BREAK_IF);
  [xa, xb, xc, xd].forEach((xp, k) => c.push(get(xp), loadPairF64(0), set(xv(k))));
  for (const [g, w] of [[ga, wa], [gb, wb]] as const) {
    c.push(get(g(0)), get(xv(0)), F64X2_MUL, get(g(1)), get(xv(1)), F64X2_MUL, F64X2_ADD);
    c.push(get(g(2)), get(xv(2)), F64X2_MUL, F64X2_ADD, get(g(3)), get(xv(3)), F64X2_MUL, F64X2_ADD, set(p));
    c.push(get(w), get(w), loadPairF64(0), get(p), F64X2_ADD, F64X2_DEMOTE_TO_F32, storeLowPair(0));
  }
  for (const v of [xa, xb, xc, xd, wa, wb]) c.push(get(v), i32(8), ADD, set(v));
  c.push(get(i), i32(2), ADD, set(i), BR_LOOP, END, END);
  c.push(get(r), i32(4), ADD, set(r), BR_LOOP, END, END);
  c.push(get(o), i32(2), ADD, set(o), BR_LOOP, END, END, END);
  return [...vec([[...uleb(12), I32], [...uleb(13), V128]]), ...c.flat()];
}

function kernelModule(): Uint8Array {
  const fwd = forwardCode(), bwd = backwardCode();
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([])]])),
    ...section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0], [0]])),
    ...section(7, vec([[...name('fwd'), 0x00, 0], [...name('bwd'), 0x00, 1]])),
    ...section(10, vec([[...uleb(fwd.length), ...fwd], [...uleb(bwd.length), ...bwd]])),
  ]);
}

// ---- the kernel and its memory -----------------------------------------------------------------

/** The part of the WebAssembly API used here (the project's TS libs do not declare it). */
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

interface Kernel {
  memory: WasmMemory;
  fwd: (x: number, n: number, inDim: number, wt: number, outDim: number, s: number) => void;
  bwd: (x: number, n: number, inDim: number, dy: number, outDim: number, dW: number) => void;
}

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const wa = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  try {
    if (!wa) throw new Error('no WebAssembly');
    const memory = new wa.Memory({ initial: 1 });
    const inst = new wa.Instance(new wa.Module(kernelModule()), { env: { mem: memory } });
    kernel = { memory, fwd: inst.exports.fwd as Kernel['fwd'], bwd: inst.exports.bwd as Kernel['bwd'] };
  } catch {
    kernel = null; // no WebAssembly SIMD here: the JS kernels run instead
  }
  return kernel;
}

const align16 = (n: number) => (n + 15) & ~15;

/**
 * y = x W^T + b (W out x in, row-major), bit-identical to `linearForward` in mlp.ts; false (and
 * nothing written) when n or outDim is not a multiple of 4 or WebAssembly SIMD is unavailable.
 */
export function wasmLinearForward(x: Float32Array, n: number, inDim: number, W: Float32Array, b: Float32Array, outDim: number, y: Float32Array): boolean {
  if (n % 4 !== 0 || outDim % 4 !== 0 || n === 0) return false;
  const k = load();
  if (!k) return false;
  const xAt = 0, wAt = align16(4 * n * inDim), sAt = align16(wAt + 4 * inDim * outDim), end = sAt + 8 * n * outDim;
  const buf = memoryOf(k, end);
  new Float32Array(buf, xAt, n * inDim).set(x.subarray(0, n * inDim));
  const wt = new Float32Array(buf, wAt, inDim * outDim);
  for (let o = 0; o < outDim; o++) {
    const wo = o * inDim;
    for (let i = 0; i < inDim; i++) wt[i * outDim + o] = W[wo + i]!;
  }
  k.fwd(xAt, n, inDim, wAt, outDim, sAt);
  const s = new Float64Array(buf, sAt, n * outDim);
  for (let r = 0; r < n; r++) {
    const ro = r * outDim;
    for (let o = 0; o < outDim; o++) y[ro + o] = b[o]! + s[ro + o]!;
  }
  return true;
}

/** The kernel's memory, grown to at least `bytes`. */
function memoryOf(k: Kernel, bytes: number): ArrayBuffer {
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / 65536));
  return k.memory.buffer;
}

/**
 * dW += dy^T x (dW out x in, row-major), bit-identical to the dW part of `linearBackward` in
 * mlp.ts; false (and nothing written) unless n is a multiple of 4, outDim and inDim are even and
 * WebAssembly SIMD is available. db and dx stay with the caller.
 */
export function wasmWeightGrad(x: Float32Array, dy: Float32Array, n: number, inDim: number, outDim: number, dW: Float32Array): boolean {
  if (n % 4 !== 0 || outDim % 2 !== 0 || inDim % 2 !== 0 || n === 0) return false;
  const k = load();
  if (!k) return false;
  const xAt = 0, dyAt = align16(4 * n * inDim), wAt = align16(dyAt + 4 * n * outDim), end = wAt + 4 * outDim * inDim;
  const buf = memoryOf(k, end);
  new Float32Array(buf, xAt, n * inDim).set(x.subarray(0, n * inDim));
  new Float32Array(buf, dyAt, n * outDim).set(dy.subarray(0, n * outDim));
  const w = new Float32Array(buf, wAt, outDim * inDim);
  w.set(dW.subarray(0, outDim * inDim));
  k.bwd(xAt, n, inDim, dyAt, outDim, wAt);
  dW.set(w);
  return true;
}
