/**
 * The kernels (float32x4 WebAssembly in a kernel arena, and the JS fallback) against a float64
 * reference and the old per-row kernels (src/core/agent/reference/), for every tile remainder;
 * finite-difference gradients on both paths; Adam and the gradient norm; the trainer against the
 * reference trainer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/util/rng';
import { linearForward, linearBackward, Mlp, mlpParamCount } from '../../../src/core/agent/mlp';
import { KernelArena, disableWasmKernels } from '../../../src/core/agent/kernelArena';
import { Adam, gradNorm } from '../../../src/core/agent/adam';
import { PpoAgent, PpoTrainer, ppoArgs, ppoLoss, type Minibatch } from '../../../src/core/agent/ppo';
import * as refPpo from '../../../src/core/agent/reference/ppo';
import { PpoTrainer as ReferenceTrainer } from '../../../src/core/agent/reference/ppo';
import { generateBandit, TableBandit, oracleSummary } from '../../../src/core/agent/syntheticBandit';

const rng = new Rng(77);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

/** Runs f with the WebAssembly kernels on (false) or off (true: the JS fallback). */
function withJs<T>(js: boolean, f: () => T): T {
  const was = disableWasmKernels(js);
  try {
    return f();
  } finally {
    disableWasmKernels(was);
  }
}

async function withJsAsync<T>(f: () => Promise<T>): Promise<T> {
  const was = disableWasmKernels(true);
  try {
    return await f();
  } finally {
    disableWasmKernels(was);
  }
}

/** |a - b| within float32 rounding of a sum of `terms` products of size `scale`. */
function assertNear(a: number, b: number, scale: number, what: string): void {
  assert.ok(Math.abs(a - b) <= 1e-6 + 2e-6 * scale, `${what}: ${a} vs ${b}`);
}

test('WebAssembly SIMD kernels load here (else every other test would only cover the JS fallback)', () => {
  assert.ok(KernelArena.create(), 'KernelArena.create() returned null');
});

test('a kernel arena keeps earlier views valid when it grows (shared memory is never detached)', () => {
  const arena = KernelArena.create()!;
  const W = arena.alloc(12), b = arena.alloc(3), x = arena.alloc(8), y = arena.alloc(6);
  W.set(randn(12)); b.set(randn(3)); x.set(randn(8));
  const before = new Float32Array(6);
  linearForward(x, 2, 4, W, b, 3, before);
  const big = arena.alloc(4_000_000); // 16 MB: grows the memory past its first pages
  big[big.length - 1] = 1;
  assert.equal(W.length, 12);
  assert.equal(KernelArena.of(W), arena);
  assert.equal(KernelArena.of(big), arena);
  linearForward(x, 2, 4, W, b, 3, y);
  assert.equal(bits(y), bits(before), 'the old views still address the same bytes');
});

test('linear forward (with tanh), dW, db and dx match float64 sums for every tile remainder, on both paths', () => {
  const arena = KernelArena.create()!;
  let cases = 0;
  for (const n of [1, 2, 3, 4, 5, 7, 9]) {
    for (const outD of [1, 2, 3, 4, 5, 8, 21]) {
      for (const inD of [1, 3, 4, 6, 7, 9, 17]) {
        const x = randn(n * inD), W = randn(outD * inD), b = randn(outD), dy = randn(n * outD), h = randn(n * inD).map(Math.tanh);
        const dW0 = randn(outD * inD), db0 = randn(outD);
        const results: Record<string, { y: Float32Array; yt: Float32Array; dW: Float32Array; db: Float32Array; dx: Float32Array }> = {};
        for (const path of ['wasm', 'wasm-resident', 'js'] as const) {
          // 'wasm-resident': every operand lives in the arena (no copies), as in training.
          const put = (a: Float32Array) => {
            if (path !== 'wasm-resident') return new Float32Array(a);
            const r = arena.alloc(a.length);
            r.set(a);
            return r;
          };
          const [xx, WW, bb, hh] = [put(x), put(W), put(b), put(h)];
          const y = put(new Float32Array(n * outD)), yt = put(new Float32Array(n * outD));
          const dW = put(dW0), db = put(db0), dx = put(new Float32Array(n * inD));
          withJs(path === 'js', () => {
            linearForward(xx, n, inD, WW, bb, outD, y);
            linearForward(xx, n, inD, WW, bb, outD, yt, true);
            linearBackward(hh, dy, n, inD, WW, outD, dW, db, dx, true);
          });
          results[path] = { y, yt, dW, db, dx };
          const at = `${path} n=${n} out=${outD} in=${inD}`;
          for (let r = 0; r < n; r++) {
            for (let o = 0; o < outD; o++) {
              let s = b[o]!, mag = Math.abs(b[o]!);
              for (let i = 0; i < inD; i++) { s += x[r * inD + i]! * W[o * inD + i]!; mag += Math.abs(x[r * inD + i]! * W[o * inD + i]!); }
              assertNear(y[r * outD + o]!, s, mag, `y ${at}`);
              assertNear(yt[r * outD + o]!, Math.tanh(s), mag, `tanh y ${at}`);
            }
            for (let i = 0; i < inD; i++) {
              let s = 0, mag = 0;
              for (let o = 0; o < outD; o++) { s += dy[r * outD + o]! * W[o * inD + i]!; mag += Math.abs(dy[r * outD + o]! * W[o * inD + i]!); }
              const d = 1 - h[r * inD + i]! ** 2;
              assertNear(dx[r * inD + i]!, s * d, mag, `dx ${at}`);
            }
          }
          for (let o = 0; o < outD; o++) {
            let sb = db0[o]!;
            for (let r = 0; r < n; r++) sb += dy[r * outD + o]!;
            assertNear(db[o]!, sb, n + Math.abs(db0[o]!), `db ${at}`);
            for (let i = 0; i < inD; i++) {
              let s = dW0[o * inD + i]!, mag = Math.abs(s);
              for (let r = 0; r < n; r++) { s += dy[r * outD + o]! * h[r * inD + i]!; mag += Math.abs(dy[r * outD + o]! * h[r * inD + i]!); }
              assertNear(dW[o * inD + i]!, s, mag, `dW ${at}`);
            }
          }
        }
        // Copying operands in and out of the arena does not change a bit.
        for (const k of ['y', 'yt', 'dW', 'db', 'dx'] as const) assert.equal(bits(results.wasm![k]), bits(results['wasm-resident']![k]), `${k} n=${n} out=${outD} in=${inD}`);
        cases++;
      }
    }
  }
  assert.equal(cases, 7 * 7 * 7);
});

test('WebAssembly kernels: row r of a batch is bit-identical to that row alone (results do not depend on the tiling)', () => {
  for (const [n, inD, outD] of [[9, 17, 21], [8, 64, 64], [5, 13, 1], [7, 768, 6]] as const) {
    const x = randn(n * inD), W = randn(outD * inD), b = randn(outD), dy = randn(n * outD), h = randn(n * inD).map(Math.tanh);
    const y = new Float32Array(n * outD), dx = new Float32Array(n * inD);
    linearForward(x, n, inD, W, b, outD, y, true);
    linearBackward(h, dy, n, inD, W, outD, new Float32Array(outD * inD), new Float32Array(outD), dx, true);
    for (let r = 0; r < n; r++) {
      const y1 = new Float32Array(outD), dx1 = new Float32Array(inD);
      linearForward(x.subarray(r * inD, (r + 1) * inD), 1, inD, W, b, outD, y1, true);
      linearBackward(h.subarray(r * inD, (r + 1) * inD), dy.subarray(r * outD, (r + 1) * outD), 1, inD, W, outD, new Float32Array(outD * inD), new Float32Array(outD), dx1, true);
      assert.equal(bits(y1), bits(y.subarray(r * outD, (r + 1) * outD)), `y row ${r} of ${n}x${inD}->${outD}`);
      assert.equal(bits(dx1), bits(dx.subarray(r * inD, (r + 1) * inD)), `dx row ${r} of ${n}x${inD}->${outD}`);
    }
  }
});

/** Central difference of a scalar function wrt arr[i]. */
function numGrad(f: () => number, arr: Float32Array, i: number, h = 1e-2): number {
  const old = arr[i]!;
  arr[i] = old + h;
  const fp = f();
  arr[i] = old - h;
  const fm = f();
  arr[i] = old;
  return (fp - fm) / (2 * h);
}

for (const js of [false, true]) {
  test(`Mlp with odd shapes, parameters resident in a kernel arena: gradients match finite differences (${js ? 'JS fallback' : 'WebAssembly'})`, () => {
    const shapes = [[[7, 6, 5, 3], 5], [[13, 9, 6, 1], 3], [[5, 4, 4, 21], 7]] as const;
    const arenas = shapes.map(() => KernelArena.create()!);
    withJs(js, () => {
      for (const [k, [sizes, n]] of shapes.entries()) {
        const arena = arenas[k]!;
        const params = arena.alloc(mlpParamCount(sizes));
        const grads = arena.alloc(params.length);
        assert.equal(KernelArena.of(params), arena);
        const net = new Mlp(sizes, params, grads);
        net.init(new Rng(9), Math.SQRT2, 1);
        for (let i = 0; i < params.length; i++) params[i]! += 0.1 * rng.normal();
        const x = arena.alloc(n * sizes[0]!);
        x.set(randn(x.length));
        const c = randn(n * sizes[sizes.length - 1]!);
        const L = () => {
          const out = net.forward(x, n, false);
          let s = 0;
          for (let i = 0; i < c.length; i++) s += c[i]! * out[i]!;
          return s;
        };
        net.forward(x, n, true);
        grads.fill(0);
        net.backward(c);
        for (let i = 0; i < params.length; i++) {
          const num = numGrad(L, params, i);
          assert.ok(Math.abs(num - grads[i]!) <= 2e-3 + 2e-2 * Math.abs(grads[i]!), `${sizes} param ${i}: numeric ${num} vs analytic ${grads[i]}`);
        }
      }
    });
  });
}

test('Adam and the gradient norm: the WebAssembly pass (float32) agrees with the JS one (float64) over an odd length', () => {
  const len = 1031;
  const arena = KernelArena.create()!;
  const p0 = randn(len), gs = Array.from({ length: 6 }, () => randn(len));
  const run = (resident: boolean) => {
    const p = resident ? arena.alloc(len) : new Float32Array(len);
    const g = resident ? arena.alloc(len) : new Float32Array(len);
    p.set(p0);
    const adam = new Adam(p, g, 0.9, 0.999, 1e-5);
    const norms: number[] = [];
    for (const [k, gk] of gs.entries()) {
      g.set(gk);
      norms.push(gradNorm(g));
      adam.step(1e-3 * (k + 1), k % 2 ? 0.3 : 1);
    }
    return { p, m: adam.state.m, v: adam.state.v, norms, t: adam.state.t };
  };
  const w = run(true), j = run(false);
  assert.equal(KernelArena.of(w.m), arena, 'the moments live beside the parameters');
  assert.equal(w.t, 6);
  for (let k = 0; k < w.norms.length; k++) assert.ok(Math.abs(w.norms[k]! - j.norms[k]!) < 1e-9 * j.norms[k]!, `norm ${k}`);
  let worstP = 0;
  for (let i = 0; i < len; i++) {
    worstP = Math.max(worstP, Math.abs(w.p[i]! - j.p[i]!));
    assert.ok(Math.abs(w.m[i]! - j.m[i]!) <= 1e-6 * (1 + Math.abs(j.m[i]!)), `m[${i}]`);
    assert.ok(Math.abs(w.v[i]! - j.v[i]!) <= 1e-5 * Math.abs(j.v[i]!) + 1e-12, `v[${i}]`);
  }
  // Six steps of at most 6e-3 each: float32 rounding of the update is ~1e-7 per step.
  assert.ok(worstP < 1e-5, `worst parameter difference ${worstP}`);
});

test('PPO loss gradients agree with the reference trainer\'s (old kernels) on the same minibatch', () => {
  const dim = 37, arms = 6, m = 32;
  const agent = new PpoAgent(dim, arms, 64, false, new Rng(5));
  const old = new refPpo.PpoAgent(dim, arms, 64, false, new Rng(5));
  assert.ok(agent.arena, 'the agent has a kernel arena');
  assert.equal(bits(agent.params), bits(old.params), 'same initial parameters');
  const obs = agent.alloc(m * dim);
  obs.set(randn(m * dim));
  const mb: Minibatch = {
    m, obs, actions: Int32Array.from({ length: m }, (_, i) => i % arms), oldLogProbs: Float32Array.from({ length: m }, () => -Math.log(arms) + 0.01 * rng.normal()),
    weights: new Float32Array(m).fill(1), oldValues: new Float32Array(m), advantages: randn(m), returns: randn(m),
  };
  const args = ppoArgs('paper', { seed: 1, totalSteps: 32 });
  const a = ppoLoss(agent, mb, args, true);
  const b = refPpo.ppoLoss(old, { ...mb, obs: new Float32Array(obs) }, args, true);
  assert.ok(Math.abs(a.loss - b.loss) < 1e-5 * (1 + Math.abs(b.loss)), `loss ${a.loss} vs ${b.loss}`);
  let num = 0, den = 0;
  for (let i = 0; i < agent.grads.length; i++) { num += (agent.grads[i]! - old.grads[i]!) ** 2; den += old.grads[i]! ** 2; }
  assert.ok(den > 0 && Math.sqrt(num / den) < 1e-5, `relative gradient difference ${Math.sqrt(num / den)}`);
});

test('PPO with the new kernels learns as the reference trainer does (both presets) and is deterministic on both paths', async () => {
  const f = generateBandit({ types: 3, dim: 37, arms: 6, contexts: 90, seed: 4, spread: 0.7 });
  const env = new TableBandit(f.dim, f.arms, f.train);
  const val = new TableBandit(f.dim, f.arms, f.validation);
  const oracle = oracleSummary(f).perType!;
  for (const args of [ppoArgs('paper', { seed: 3, totalSteps: 32 * 60 }), ppoArgs('bandit', { seed: 3, totalSteps: 64 * 30 })]) {
    const train = async (T: typeof PpoTrainer | typeof ReferenceTrainer) => {
      const t = new T(env, args);
      while (!t.finished) await t.runUpdate();
      return { reward: (await t.greedyMeanReward(val)).mean, params: bits(t.agent.params) };
    };
    const now = await train(PpoTrainer), again = await train(PpoTrainer), old = await train(ReferenceTrainer);
    assert.equal(now.params, again.params, `${args.preset}: same seed, same parameters`);
    assert.notEqual(now.params, old.params, 'float32 sums: not bit-identical to the old kernels');
    assert.ok(Math.abs(now.reward - old.reward) <= 0.1 * oracle, `${args.preset}: reward ${now.reward} vs reference ${old.reward} (oracle ${oracle})`);
    const js = await withJsAsync(() => train(PpoTrainer)), jsAgain = await withJsAsync(() => train(PpoTrainer));
    assert.equal(js.params, jsAgain.params, `${args.preset}: JS fallback deterministic`);
    assert.ok(Math.abs(js.reward - old.reward) <= 0.1 * oracle, `${args.preset}: JS fallback reward ${js.reward} vs reference ${old.reward}`);
  }
});
