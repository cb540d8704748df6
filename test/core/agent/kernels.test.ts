/**
 * The batched kernels against the per-row reference kernels they replaced (src/core/agent/reference/)
 * and against per-sample passes: same numbers, for every tile remainder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/util/rng';
import { linearForward, linearForwardJs, linearBackward, weightGradJs, Mlp, mlpParamCount } from '../../../src/core/agent/mlp';
import { wasmLinearForward, wasmWeightGrad } from '../../../src/core/agent/wasmLinear';
import * as ref from '../../../src/core/agent/reference/mlp';
import { PpoTrainer, ppoArgs, type PpoArgs } from '../../../src/core/agent/ppo';
import { PpoTrainer as ReferenceTrainer } from '../../../src/core/agent/reference/ppo';
import { generateBandit, TableBandit } from '../../../src/core/agent/syntheticBandit';

const rng = new Rng(77);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

test('linear forward and backward are bit-identical to the reference kernels for every tile remainder', () => {
  let cases = 0, wasmCases = 0, wasmGradCases = 0;
  for (const n of [1, 2, 3, 4, 5, 7, 8, 9]) {
    for (const outD of [1, 2, 3, 4, 5, 8, 21]) {
      for (const inD of [1, 3, 4, 6, 17]) {
        const x = randn(n * inD), W = randn(outD * inD), b = randn(outD), dy = randn(n * outD);
        const y = new Float32Array(n * outD), yRef = new Float32Array(n * outD);
        linearForward(x, n, inD, W, b, outD, y);
        ref.linearForward(x, n, inD, W, b, outD, yRef);
        assert.equal(bits(y), bits(yRef), `forward n=${n} out=${outD} in=${inD}`);
        // Both paths behind linearForward: the JS tiles and, where the shape allows, WebAssembly.
        const yJs = new Float32Array(n * outD);
        linearForwardJs(x, n, inD, W, b, outD, yJs);
        assert.equal(bits(yJs), bits(yRef), `JS forward n=${n} out=${outD} in=${inD}`);
        const yWasm = new Float32Array(n * outD);
        if (wasmLinearForward(x, n, inD, W, b, outD, yWasm)) {
          assert.equal(bits(yWasm), bits(yRef), `wasm forward n=${n} out=${outD} in=${inD}`);
          wasmCases++;
        }
        // Fused tanh = linear then tanh.
        linearForward(x, n, inD, W, b, outD, y, true);
        ref.tanhForward(yRef, n * outD, yRef);
        assert.equal(bits(y), bits(yRef), `forward+tanh n=${n} out=${outD} in=${inD}`);
        // Gradients accumulate onto non-zero buffers, as the old kernel's did.
        const dW0 = randn(outD * inD), db0 = randn(outD);
        const dW = new Float32Array(dW0), db = new Float32Array(db0), dx = new Float32Array(n * inD);
        const dWr = new Float32Array(dW0), dbr = new Float32Array(db0), dxr = new Float32Array(n * inD);
        linearBackward(x, dy, n, inD, W, outD, dW, db, dx);
        ref.linearBackward(x, dy, n, inD, W, outD, dWr, dbr, dxr);
        assert.equal(bits(dW), bits(dWr), `dW n=${n} out=${outD} in=${inD}`);
        assert.equal(bits(db), bits(dbr), `db n=${n} out=${outD} in=${inD}`);
        assert.equal(bits(dx), bits(dxr), `dx n=${n} out=${outD} in=${inD}`);
        const dWJs = new Float32Array(dW0), dbJs = new Float32Array(db0);
        weightGradJs(x, dy, n, inD, outD, dWJs, dbJs);
        assert.equal(bits(dWJs), bits(dWr), `JS dW n=${n} out=${outD} in=${inD}`);
        assert.equal(bits(dbJs), bits(dbr), `JS db n=${n} out=${outD} in=${inD}`);
        const dWWasm = new Float32Array(dW0);
        if (wasmWeightGrad(x, dy, n, inD, outD, dWWasm)) {
          assert.equal(bits(dWWasm), bits(dWr), `wasm dW n=${n} out=${outD} in=${inD}`);
          wasmGradCases++;
        }
        cases++;
      }
    }
  }
  assert.equal(cases, 8 * 7 * 5);
  // n in {4, 8} x outD in {4, 8} x 5 input sizes ran the WebAssembly kernel (Node has SIMD).
  assert.equal(wasmCases, 2 * 2 * 5);
  // dW: n in {4, 8} x outD in {2, 4, 8} x inD in {4, 6}.
  assert.equal(wasmGradCases, 2 * 3 * 2);
});

test('Mlp: a batched forward equals per-sample forwards; batched gradients equal the sum of per-sample ones', () => {
  const sizes = [13, 9, 6, 5];
  const params = new Float32Array(mlpParamCount(sizes));
  const grads = new Float32Array(params.length);
  const net = new Mlp(sizes, params, grads);
  net.init(new Rng(3), Math.SQRT2, 1);
  for (let i = 0; i < params.length; i++) params[i]! += 0.1 * rng.normal();
  const n = 11;
  const x = randn(n * 13), dOut = randn(n * 5);
  const batched = new Float32Array(net.forward(x, n, true));
  grads.fill(0);
  net.backward(dOut);
  const batchedGrads = new Float32Array(grads);
  const summed = new Float64Array(params.length);
  for (let r = 0; r < n; r++) {
    const one = net.forward(x.subarray(r * 13, (r + 1) * 13), 1, true);
    // Row by row the output is the same to the bit: each row's dot products run in the same order.
    assert.equal(bits(one), bits(batched.subarray(r * 5, (r + 1) * 5)), `row ${r}`);
    grads.fill(0);
    net.backward(dOut.subarray(r * 5, (r + 1) * 5));
    for (let i = 0; i < grads.length; i++) summed[i]! += grads[i]!;
  }
  let worst = 0;
  for (let i = 0; i < grads.length; i++) worst = Math.max(worst, Math.abs(summed[i]! - batchedGrads[i]!) / (1e-3 + Math.abs(summed[i]!)));
  // Only float32 rounding of the running sums differs (groups of four rows vs one at a time);
  // a wrong index or a missing term would differ by O(1).
  assert.ok(worst < 2e-4, `worst relative difference ${worst}`);
});

async function paramsAfter(Trainer: typeof PpoTrainer | typeof ReferenceTrainer, env: TableBandit, args: PpoArgs): Promise<{ params: string; stats: string }> {
  const t = new Trainer(env, args);
  const stats: number[] = [];
  while (!t.finished) {
    const s = await t.runUpdate();
    stats.push(s.meanReward, s.entropy, s.pgLoss, s.valueLoss, s.approxKl, s.oldApproxKl, s.clipFrac, s.explainedVariance, s.gradNorm);
  }
  return { params: bits(t.agent.params), stats: JSON.stringify(stats) };
}

test('PPO trains to bit-identical parameters and diagnostics as the reference trainer (both presets and the optional branches)', async () => {
  const f = generateBandit({ types: 3, dim: 37, arms: 6, contexts: 90, seed: 4, spread: 0.7 });
  const env = new TableBandit(f.dim, f.arms, f.train);
  const variants: Array<[string, PpoArgs]> = [
    ['paper', ppoArgs('paper', { seed: 3, totalSteps: 32 * 12 })],
    ['bandit', ppoArgs('bandit', { seed: 3, totalSteps: 64 * 6 })],
    ['clipVloss, ε, target KL, uneven minibatches', ppoArgs('bandit', { seed: 5, totalSteps: 30 * 6, batchSize: 30, numMinibatches: 4, clipVloss: true, exploration: 0.2, targetKl: 0.001, updateEpochs: 3 })],
    ['no state normalisation, no advantage normalisation', ppoArgs('paper', { seed: 6, totalSteps: 32 * 4, normalizeStates: false, normAdv: false })],
  ];
  for (const [name, args] of variants) {
    const now = await paramsAfter(PpoTrainer, env, args);
    const old = await paramsAfter(ReferenceTrainer, env, args);
    assert.equal(now.stats, old.stats, `${name}: diagnostics`);
    assert.equal(now.params, old.params, `${name}: parameters`);
  }
});
