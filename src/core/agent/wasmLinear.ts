/**
 * The linear forward pass as a WebAssembly SIMD kernel, for the layers whose batch and output
 * sizes are multiples of four (the 768 -> 64 input layers do 90% of the forward work).
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
const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], END = [0x0b], BR_LOOP = [0x0c, 0], BREAK_IF = [0x0d, 1];

/**
 * fwd(x, n, inDim, wt, outDim, s): s[r][o] = sum_i x[r][i] * wt[i][o] in float64, i in order,
 * for n and outDim multiples of 4 (byte addresses; x, wt float32; s float64).
 */
function forwardModule(): Uint8Array {
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
  const code = [...vec([[...uleb(10), I32], [...uleb(11), V128]]), ...c.flat()];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([])]])),
    ...section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('fwd'), 0x00, 0]])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
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
}

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const wa = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  try {
    if (!wa) throw new Error('no WebAssembly');
    const memory = new wa.Memory({ initial: 1 });
    const inst = new wa.Instance(new wa.Module(forwardModule()), { env: { mem: memory } });
    kernel = { memory, fwd: inst.exports.fwd as Kernel['fwd'] };
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
  const have = k.memory.buffer.byteLength;
  if (end > have) k.memory.grow(Math.ceil((end - have) / 65536));
  const buf = k.memory.buffer;
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
