/**
 * The PPO kernels as a WebAssembly SIMD module (f32x4), written byte by byte here: no build step,
 * no native code, no toolchain. It loads wherever WebAssembly SIMD and shared memory do (Node 16.4+,
 * VS Code's extension host); `kernelArena.ts` owns the memory and falls back to JS elsewhere.
 *
 * Every function works on byte addresses in one imported shared memory and covers a rectangular
 * region of its output in register tiles; the caller splits a matrix into a main region of full
 * tiles and remainder regions of smaller tiles. Each output element gets the same sequence of
 * float32 operations whatever tile computes it (the tiles differ only in how many elements they
 * share loads between), so results do not depend on the batch size or the tiling:
 *
 * - `fwd{R}x{O}`: y[r][o] = act(sum_i x[r][i] W[o][i] + b[o]) (W row-major out x in). The sum runs
 *   in four lanes (lane l takes i = l mod 4), then (l0 + l2) + (l1 + l3), then the inputs left
 *   over after the last multiple of four in order, then the bias; act is tanh or none.
 * - `nn{P}x{V}{mode}`: C[p][i] (+)= sum_t A(p, t) B[t][i], summed over t in order in registers.
 *   dW += dy^T x and dx = dy W are both this (A(p, t) has arbitrary strides, so either operand can
 *   be read transposed); mode `store`, `acc` (add onto C) or `dtanh` (store times 1 - H[p][i]^2).
 * - `adam`, `sumsq`: Adam over flat vectors, and the squared norm (float64 sums) for the clip.
 */

// ---- a minimal WebAssembly binary writer --------------------------------------------------------

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
const f32Bytes = (v: number): number[] => [...new Uint8Array(Float32Array.of(v).buffer)];

const I32 = 0x7f, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b;
type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
const memarg = (alignLog2: number, offset: number): number[] => [...uleb(alignLog2), ...uleb(offset)];

/** One function body under construction: named locals and an instruction list. */
class Fn {
  readonly code: number[] = [];
  private readonly types: ValType[] = [];
  constructor(readonly params: ValType[], readonly results: ValType[]) {
    this.types = [...params];
  }
  local(t: ValType): number {
    this.types.push(t);
    return this.types.length - 1;
  }
  e(...ops: Array<number | number[]>): this {
    for (const o of ops) {
      if (typeof o === 'number') this.code.push(o);
      else this.code.push(...o);
    }
    return this;
  }
  body(): number[] {
    const locals = this.types.slice(this.params.length);
    const groups: number[][] = [];
    for (const t of locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]!++;
      else groups.push([1, t]);
    }
    const b = [...vec(groups.map(([n, t]) => [...uleb(n!), t!])), ...this.code, 0x0b];
    return [...uleb(b.length), ...b];
  }
}

const get = (i: number) => [0x20, ...uleb(i)], set = (i: number) => [0x21, ...uleb(i)];
const i32c = (v: number) => [0x41, ...sleb(v)];
const f32c = (v: number) => [0x43, ...f32Bytes(v)];
const ADD = 0x6a, MUL = 0x6c, AND = 0x71, SHL = 0x74, GE_S = 0x4e;
const F32_LOAD = (off = 0) => [0x2a, ...memarg(2, off)], F32_STORE = (off = 0) => [0x38, ...memarg(2, off)];
const F32_ADD = 0x92, F32_SUB = 0x93, F32_MUL = 0x94, F32_DIV = 0x95, F32_SQRT = 0x91;
const F64_ADD = 0xa0, F64_MUL = 0xa2, F64_PROMOTE = 0xbb;
const V_LOAD = (off = 0) => simd(0x00, ...memarg(0, off)), V_STORE = (off = 0) => simd(0x0b, ...memarg(0, off));
const V_LOAD_SPLAT = (off = 0) => simd(0x09, ...memarg(2, off));
const V_ZERO = simd(0x0c, ...new Array<number>(16).fill(0));
const vconst = (v: number) => simd(0x0c, ...[0, 1, 2, 3].flatMap(() => f32Bytes(v)));
const F4_SPLAT = simd(0x13), F4_EXTRACT = (l: number) => simd(0x1f, l), F4_REPLACE = (l: number) => simd(0x20, l);
const F4_ADD = simd(0xe4), F4_SUB = simd(0xe5), F4_MUL = simd(0xe6), F4_DIV = simd(0xe7), F4_SQRT = simd(0xe3);
const F4_MIN = simd(0xe8), F4_MAX = simd(0xe9), F4_ABS = simd(0xe0), F4_LT = simd(0x43), BITSELECT = simd(0x52);
const F2_ADD = simd(0xf0), F2_MUL = simd(0xf2), F2_PROMOTE_LOW = simd(0x5f), F2_EXTRACT = (l: number) => simd(0x21, l);
/** i8x16.shuffle taking f32 lanes: 0-3 from the first operand, 4-7 from the second. */
const shuffle = (lanes: number[]) => simd(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], END = 0x0b, IF = [0x04, 0x40];

/** `while (v < limit) { body; v += step }` (limit, step: instructions pushing an i32). */
function whileLess(f: Fn, v: number, limit: number[], body: () => void): void {
  f.e(BLOCK, LOOP, get(v), limit, GE_S, 0x0d, 1); // br_if 1 (out of the block)
  body();
  f.e(0x0c, 0, END, END); // br 0 (loop)
}
const inc = (f: Fn, v: number, by: number[]) => f.e(get(v), by, ADD, set(v));

/**
 * tanh of the f32x4 in local `v`, into `v`: the [13/6] rational approximation Eigen and XNNPACK
 * use (inputs clamped to +-7.9988, where float32 tanh is +-1; |x| < 4e-4 returns x), a few ulp.
 */
function tanhInPlace(f: Fn, v: number, t: { x: number; x2: number; p: number }): void {
  const c = 7.99881172180175781;
  const alpha = [4.89352455891786e-3, 6.37261928875436e-4, 1.48572235717979e-5, 5.12229709037114e-8, -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16];
  const beta = [4.89352518554385e-3, 2.26843463243900e-3, 1.18534705686654e-4, 1.19825839466702e-6];
  f.e(get(v), vconst(c), F4_MIN, vconst(-c), F4_MAX, set(t.x));
  f.e(get(t.x), get(t.x), F4_MUL, set(t.x2));
  // p = x (a1 + x2 (a3 + x2 (... a13)))
  f.e(vconst(alpha[6]!));
  for (let k = 5; k >= 0; k--) f.e(get(t.x2), F4_MUL, vconst(alpha[k]!), F4_ADD);
  f.e(get(t.x), F4_MUL, set(t.p));
  f.e(vconst(beta[3]!));
  for (let k = 2; k >= 0; k--) f.e(get(t.x2), F4_MUL, vconst(beta[k]!), F4_ADD);
  f.e(set(t.x2)); // q
  // select(|v| < 4e-4, v, p / q)
  f.e(get(v), get(t.p), get(t.x2), F4_DIV, get(v), F4_ABS, vconst(0.0004), F4_LT, BITSELECT, set(v));
}

// ---- y = act(x W^T + b) -------------------------------------------------------------------------

/**
 * fwd(x, ldx, w, ldw, b, y, ldy, r0, r1, o0, o1, inDim, tanh): rows r0..r1 (a multiple of R) and
 * outputs o0..o1 (a multiple of O, 1 or 4) of y; ld* are row strides in bytes.
 */
function forwardFn(R: number, O: 1 | 4): Fn {
  const f = new Fn([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32], []);
  const [X, LDX, W, LDW, B, Y, LDY, R0, R1, O0, O1, IN, ACT] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const r = f.local(I32), o = f.local(I32), i = f.local(I32), in4 = f.local(I32);
  const xp = Array.from({ length: R }, () => f.local(I32)), wp = Array.from({ length: O }, () => f.local(I32));
  const acc = Array.from({ length: R }, () => Array.from({ length: O }, () => f.local(V128)));
  const xv = Array.from({ length: R }, () => f.local(V128)), wv = f.local(V128);
  const s = Array.from({ length: R }, () => f.local(V128)), u = f.local(V128), w2 = f.local(V128);
  const tmp = { x: f.local(V128), x2: f.local(V128), p: f.local(V128) };
  f.e(get(IN), i32c(-4), AND, set(in4)); // in4 = inDim & ~3
  f.e(get(R0), set(r));
  whileLess(f, r, get(R1), () => {
    f.e(get(O0), set(o));
    whileLess(f, o, get(O1), () => {
      xp.forEach((p, a) => f.e(get(X), get(r), i32c(a), ADD, get(LDX), MUL, ADD, set(p)));
      wp.forEach((p, k) => f.e(get(W), get(o), i32c(k), ADD, get(LDW), MUL, ADD, set(p)));
      for (const row of acc) for (const v of row) f.e(V_ZERO, set(v));
      f.e(i32c(0), set(i));
      whileLess(f, i, get(in4), () => {
        xp.forEach((p, a) => f.e(get(p), V_LOAD(), set(xv[a]!)));
        wp.forEach((p, k) => {
          f.e(get(p), V_LOAD(), set(wv));
          for (let a = 0; a < R; a++) f.e(get(acc[a]![k]!), get(xv[a]!), get(wv), F4_MUL, F4_ADD, set(acc[a]![k]!));
        });
        for (const p of [...xp, ...wp]) inc(f, p, i32c(16));
        inc(f, i, i32c(4));
      });
      // Lane sums: (l0 + l2) + (l1 + l3) for each output.
      for (let a = 0; a < R; a++) {
        const A = acc[a]!;
        if (O === 4) {
          f.e(get(A[0]!), get(A[1]!), shuffle([0, 1, 4, 5]), get(A[0]!), get(A[1]!), shuffle([2, 3, 6, 7]), F4_ADD, set(u));
          f.e(get(A[2]!), get(A[3]!), shuffle([0, 1, 4, 5]), get(A[2]!), get(A[3]!), shuffle([2, 3, 6, 7]), F4_ADD, set(w2));
          f.e(get(u), get(w2), shuffle([0, 2, 4, 6]), get(u), get(w2), shuffle([1, 3, 5, 7]), F4_ADD, set(s[a]!));
        } else {
          f.e(get(A[0]!), get(A[0]!), get(A[0]!), shuffle([2, 3, 0, 1]), F4_ADD, set(u));
          f.e(get(u), get(u), get(u), shuffle([1, 0, 3, 2]), F4_ADD, set(s[a]!));
        }
      }
      // Inputs left over after the last multiple of four, in order.
      whileLess(f, i, get(IN), () => {
        if (O === 4) {
          f.e(get(wp[0]!), F32_LOAD(), F4_SPLAT);
          for (let k = 1; k < 4; k++) f.e(get(wp[k]!), F32_LOAD(), F4_REPLACE(k));
          f.e(set(wv));
        } else f.e(get(wp[0]!), V_LOAD_SPLAT(), set(wv));
        xp.forEach((p, a) => f.e(get(s[a]!), get(p), V_LOAD_SPLAT(), get(wv), F4_MUL, F4_ADD, set(s[a]!)));
        for (const p of [...xp, ...wp]) inc(f, p, i32c(4));
        inc(f, i, i32c(1));
      });
      f.e(get(B), get(o), i32c(2), SHL, ADD); // &b[o]
      f.e(O === 4 ? V_LOAD() : V_LOAD_SPLAT(), set(wv));
      for (let a = 0; a < R; a++) f.e(get(s[a]!), get(wv), F4_ADD, set(s[a]!));
      f.e(get(ACT), IF);
      for (let a = 0; a < R; a++) tanhInPlace(f, s[a]!, tmp);
      f.e(END);
      for (let a = 0; a < R; a++) {
        f.e(get(Y), get(r), i32c(a), ADD, get(LDY), MUL, ADD, get(o), i32c(2), SHL, ADD, get(s[a]!));
        f.e(O === 4 ? V_STORE() : [...F4_EXTRACT(0), ...F32_STORE()]);
      }
      inc(f, o, i32c(O));
    });
    inc(f, r, i32c(R));
  });
  return f;
}

// ---- C (+)= A B with A read through arbitrary strides ---------------------------------------------

export type NnMode = 'store' | 'acc' | 'dtanh';

/**
 * nn(a, aP, aT, b, ldb, c, ldc, h, ldh, p0, p1, i0, i1, T): C[p][i] for p in p0..p1 (a multiple of P)
 * and i in i0..i1 (a multiple of V vectors of four, or of one with V = 0: scalar lanes), where
 * A(p, t) is at a + p aP + t aT and B[t], C[p], H[p] are rows at strides ldb, ldc, ldh (bytes).
 */
function nnFn(P: number, V: number, mode: NnMode): Fn {
  const f = new Fn(new Array<ValType>(14).fill(I32), []);
  const [A, AP, AT, Bp, LDB, C, LDC, H, LDH, P0, P1, I0, I1, T] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const scalar = V === 0, nv = scalar ? 1 : V, ty: ValType = scalar ? F32 : V128;
  const p = f.local(I32), i = f.local(I32), t = f.local(I32), bp = f.local(I32), addr = f.local(I32);
  const ap = Array.from({ length: P }, () => f.local(I32));
  const acc = Array.from({ length: P }, () => Array.from({ length: nv }, () => f.local(ty)));
  const bv = Array.from({ length: nv }, () => f.local(ty)), g = f.local(ty);
  const [LOAD, STORE, MULOP, ADDOP, SUBOP] = scalar ? [F32_LOAD, F32_STORE, [F32_MUL], [F32_ADD], [F32_SUB]] : [V_LOAD, V_STORE, F4_MUL, F4_ADD, F4_SUB];
  f.e(get(P0), set(p));
  whileLess(f, p, get(P1), () => {
    f.e(get(I0), set(i));
    whileLess(f, i, get(I1), () => {
      for (const row of acc) for (const v of row) f.e(scalar ? f32c(0) : V_ZERO, set(v));
      ap.forEach((q, k) => f.e(get(A), get(p), i32c(k), ADD, get(AP), MUL, ADD, set(q)));
      f.e(get(Bp), get(i), i32c(2), SHL, ADD, set(bp), i32c(0), set(t));
      whileLess(f, t, get(T), () => {
        bv.forEach((v, k) => f.e(get(bp), LOAD(16 * k), set(v)));
        ap.forEach((q, k) => {
          f.e(get(q), scalar ? F32_LOAD() : V_LOAD_SPLAT(), set(g));
          for (let j = 0; j < nv; j++) f.e(get(acc[k]![j]!), get(g), get(bv[j]!), MULOP, ADDOP, set(acc[k]![j]!));
          inc(f, q, get(AT));
        });
        inc(f, bp, get(LDB));
        inc(f, t, i32c(1));
      });
      for (let k = 0; k < P; k++) {
        f.e(get(C), get(p), i32c(k), ADD, get(LDC), MUL, ADD, get(i), i32c(2), SHL, ADD, set(addr));
        if (mode === 'dtanh') f.e(get(H), get(p), i32c(k), ADD, get(LDH), MUL, ADD, get(i), i32c(2), SHL, ADD, set(bp));
        for (let j = 0; j < nv; j++) {
          f.e(get(addr));
          if (mode === 'acc') f.e(get(addr), LOAD(16 * j), get(acc[k]![j]!), ADDOP);
          else if (mode === 'store') f.e(get(acc[k]![j]!));
          else f.e(get(acc[k]![j]!), scalar ? f32c(1) : vconst(1), get(bp), LOAD(16 * j), get(bp), LOAD(16 * j), MULOP, SUBOP, MULOP);
          f.e(STORE(16 * j));
        }
      }
      inc(f, i, i32c(scalar ? 1 : 4 * V));
    });
    inc(f, p, i32c(P));
  });
  return f;
}

// ---- Adam and the squared norm ------------------------------------------------------------------

/**
 * adam(p, g, m, v, from, to, b1, c1, b2, c2, stepSize, invSqrtC2, eps, gradScale) over elements
 * from..to (vector lanes: to - from a multiple of 4; else one at a time), with c = 1 - b given
 * rounded from float64 (1 - float32(0.999) would be 1.3e-5 off):
 * g' = g s; m = b1 m + c1 g'; v = b2 v + c2 g'^2; p -= stepSize m / (sqrt(v) invSqrtC2 + eps).
 */
function adamFn(scalar: boolean): Fn {
  const f = new Fn([I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32, F32], []);
  const [Pp, G, M, Vv, FROM, TO, B1, C1, B2, C2, SS, ISC, EPS, SC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const ty: ValType = scalar ? F32 : V128;
  const i = f.local(I32), at = f.local(I32);
  const [b1, c1, b2, c2, ss, isc, eps, sc] = [f.local(ty), f.local(ty), f.local(ty), f.local(ty), f.local(ty), f.local(ty), f.local(ty), f.local(ty)];
  const gi = f.local(ty), mi = f.local(ty), vi = f.local(ty);
  const [LOAD, STORE, MULOP, ADDOP, SUBOP, DIVOP, SQRTOP] = scalar
    ? [F32_LOAD, F32_STORE, [F32_MUL], [F32_ADD], [F32_SUB], [F32_DIV], [F32_SQRT]]
    : [V_LOAD, V_STORE, F4_MUL, F4_ADD, F4_SUB, F4_DIV, F4_SQRT];
  const splat = scalar ? [] : F4_SPLAT;
  f.e(get(B1), splat, set(b1), get(C1), splat, set(c1), get(B2), splat, set(b2), get(C2), splat, set(c2));
  f.e(get(SS), splat, set(ss), get(ISC), splat, set(isc), get(EPS), splat, set(eps), get(SC), splat, set(sc));
  f.e(get(FROM), set(i));
  whileLess(f, i, get(TO), () => {
    f.e(get(i), i32c(2), SHL, set(at));
    f.e(get(G), get(at), ADD, LOAD(), get(sc), MULOP, set(gi));
    f.e(get(b1), get(M), get(at), ADD, LOAD(), MULOP, get(c1), get(gi), MULOP, ADDOP, set(mi));
    f.e(get(M), get(at), ADD, get(mi), STORE());
    f.e(get(b2), get(Vv), get(at), ADD, LOAD(), MULOP, get(c2), get(gi), MULOP, get(gi), MULOP, ADDOP, set(vi));
    f.e(get(Vv), get(at), ADD, get(vi), STORE());
    f.e(get(Pp), get(at), ADD, get(Pp), get(at), ADD, LOAD());
    f.e(get(ss), get(mi), MULOP, get(vi), SQRTOP, get(isc), MULOP, get(eps), ADDOP, DIVOP, SUBOP, STORE());
    inc(f, i, i32c(scalar ? 1 : 4));
  });
  return f;
}

/** sumsq(g, len): sum of g[i]^2 in float64, four lanes (two f64x2), then the tail in order. */
function sumsqFn(): Fn {
  const f = new Fn([I32, I32], [F64]);
  const [G, LEN] = [0, 1];
  const i = f.local(I32), len4 = f.local(I32), lo = f.local(V128), hi = f.local(V128), v = f.local(V128), w = f.local(V128), s = f.local(F64), x = f.local(F64);
  f.e(get(LEN), i32c(-4), AND, set(len4), V_ZERO, set(lo), V_ZERO, set(hi), i32c(0), set(i));
  whileLess(f, i, get(len4), () => {
    f.e(get(G), get(i), i32c(2), SHL, ADD, V_LOAD(), set(v));
    f.e(get(v), F2_PROMOTE_LOW, set(w), get(lo), get(w), get(w), F2_MUL, F2_ADD, set(lo));
    f.e(get(v), get(v), shuffle([2, 3, 0, 1]), F2_PROMOTE_LOW, set(w), get(hi), get(w), get(w), F2_MUL, F2_ADD, set(hi));
    inc(f, i, i32c(4));
  });
  f.e(get(lo), get(hi), F2_ADD, set(w), get(w), F2_EXTRACT(0), get(w), F2_EXTRACT(1), F64_ADD, set(s));
  whileLess(f, i, get(LEN), () => {
    f.e(get(G), get(i), i32c(2), SHL, ADD, F32_LOAD(), F64_PROMOTE, set(x), get(s), get(x), get(x), F64_MUL, F64_ADD, set(s));
    inc(f, i, i32c(1));
  });
  f.e(get(s));
  return f;
}

// ---- the module ---------------------------------------------------------------------------------

/** Tile shapes compiled into the module; `kernelArena.ts` picks among them by name. */
export const FORWARD_TILES: ReadonlyArray<[number, 1 | 4]> = [[2, 4], [1, 4], [2, 1], [1, 1]];
export const NN_TILES: ReadonlyArray<[number, number]> = [[4, 2], [4, 1], [4, 0], [1, 2], [1, 1], [1, 0]];
export const NN_MODES: readonly NnMode[] = ['store', 'acc', 'dtanh'];

export const fwdName = (R: number, O: number) => `fwd${R}x${O}`;
export const nnName = (P: number, V: number, mode: NnMode) => `nn${P}x${V}${mode}`;

/** The module's bytes: imports a shared memory `env.mem` (max `maxPages` pages). */
export function kernelModule(maxPages: number): Uint8Array {
  const fns: Array<[string, Fn]> = [
    ...FORWARD_TILES.map(([R, O]) => [fwdName(R, O), forwardFn(R, O)] as [string, Fn]),
    ...NN_TILES.flatMap(([P, V]) => NN_MODES.map((m) => [nnName(P, V, m), nnFn(P, V, m)] as [string, Fn])),
    ['adam4', adamFn(false)], ['adam1', adamFn(true)], ['sumsq', sumsqFn()],
  ];
  const sigs: string[] = [];
  const sigBytes: number[][] = [];
  const typeOf = fns.map(([, f]) => {
    const key = `${f.params.join(',')}>${f.results.join(',')}`;
    let k = sigs.indexOf(key);
    if (k < 0) {
      k = sigs.push(key) - 1;
      sigBytes.push([0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
    }
    return k;
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(sigBytes)),
    ...section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x03, ...uleb(1), ...uleb(maxPages)]])),
    ...section(3, vec(typeOf.map((k) => uleb(k)))),
    ...section(7, vec(fns.map(([n], k) => [...name(n), 0x00, ...uleb(k)]))),
    ...section(10, vec(fns.map(([, f]) => f.body()))),
  ]);
}
