import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/util/rng';
import {
  linearForward, linearBackward, tanhForward, tanhBackward, softmaxForward, softmaxBackward,
  logSoftmaxForward, logSoftmaxBackward, orthogonalInit, Mlp, mlpParamCount,
} from '../../../src/core/agent/mlp';

const rng = new Rng(123);
const randn = (n: number, scale = 1) => Float32Array.from({ length: n }, () => scale * rng.normal());

/** Central difference of a scalar function wrt arr[i] (float32 storage, so h is not tiny). */
function numGrad(f: () => number, arr: Float32Array, i: number, h = 1e-2): number {
  const old = arr[i]!;
  arr[i] = old + h;
  const fp = f();
  arr[i] = old - h;
  const fm = f();
  arr[i] = old;
  return (fp - fm) / (2 * h);
}

function assertClose(num: number, ana: number, what: string, rel = 2e-2, abs = 2e-3): void {
  assert.ok(Math.abs(num - ana) <= abs + rel * Math.abs(ana), `${what}: numeric ${num} vs analytic ${ana}`);
}

/** L = sum_i c_i y_i for a fixed random c: dL/dy = c. */
function dot(c: Float32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < c.length; i++) s += c[i]! * y[i]!;
  return s;
}

test('linear: forward value and every gradient match finite differences', () => {
  const n = 3, inD = 5, outD = 4;
  const x = randn(n * inD), W = randn(outD * inD), b = randn(outD), c = randn(n * outD);
  const y = new Float32Array(n * outD);
  linearForward(x, n, inD, W, b, outD, y);
  // y[1][2] by hand
  let hand = b[2]!;
  for (let i = 0; i < inD; i++) hand += W[2 * inD + i]! * x[inD + i]!;
  assert.ok(Math.abs(y[1 * outD + 2]! - hand) < 1e-5);
  const dW = new Float32Array(W.length), db = new Float32Array(outD), dx = new Float32Array(x.length);
  linearBackward(x, c, n, inD, W, outD, dW, db, dx);
  const L = () => { linearForward(x, n, inD, W, b, outD, y); return dot(c, y); };
  for (let i = 0; i < W.length; i++) assertClose(numGrad(L, W, i), dW[i]!, `dW[${i}]`);
  for (let i = 0; i < b.length; i++) assertClose(numGrad(L, b, i), db[i]!, `db[${i}]`);
  for (let i = 0; i < x.length; i++) assertClose(numGrad(L, x, i), dx[i]!, `dx[${i}]`);
  // Gradients accumulate across calls (two losses into one buffer).
  const dW2 = new Float32Array(dW);
  linearBackward(x, c, n, inD, W, outD, dW2, new Float32Array(outD), null);
  assert.ok(Math.abs(dW2[7]! - 2 * dW[7]!) < 1e-5);
});

test('tanh, softmax and log-softmax backward match finite differences', () => {
  const n = 2, k = 6;
  const z = randn(n * k, 2), c = randn(n * k);
  const y = new Float32Array(n * k), dz = new Float32Array(n * k);
  tanhForward(z, n * k, y);
  tanhBackward(y, c, n * k, dz);
  const Lt = () => { tanhForward(z, n * k, y); return dot(c, y); };
  for (let i = 0; i < z.length; i++) assertClose(numGrad(Lt, z, i, 1e-3), dz[i]!, `tanh dz[${i}]`);

  softmaxForward(z, n, k, y);
  for (let r = 0; r < n; r++) assert.ok(Math.abs(y.subarray(r * k, r * k + k).reduce((a, b) => a + b, 0) - 1) < 1e-6, 'rows sum to 1');
  softmaxBackward(y, c, n, k, dz);
  const Ls = () => { softmaxForward(z, n, k, y); return dot(c, y); };
  for (let i = 0; i < z.length; i++) assertClose(numGrad(Ls, z, i, 1e-3), dz[i]!, `softmax dz[${i}]`);

  logSoftmaxForward(z, n, k, y);
  const p = new Float32Array(n * k);
  softmaxForward(z, n, k, p);
  for (let i = 0; i < y.length; i++) assert.ok(Math.abs(Math.exp(y[i]!) - p[i]!) < 1e-6, 'exp(log-softmax) = softmax');
  logSoftmaxBackward(y, c, n, k, dz);
  const Ll = () => { logSoftmaxForward(z, n, k, y); return dot(c, y); };
  for (let i = 0; i < z.length; i++) assertClose(numGrad(Ll, z, i, 1e-3), dz[i]!, `log-softmax dz[${i}]`);
});

test('log-softmax is stable for large logits', () => {
  const z = Float32Array.from([1000, 0, -1000]);
  const l = new Float32Array(3);
  logSoftmaxForward(z, 1, 3, l);
  assert.ok(l.every((v) => Number.isFinite(v)));
  assert.equal(l[0], 0);
});

test('orthogonal init: rows (wide) or columns (tall) orthonormal, scaled by gain', () => {
  for (const [rows, cols] of [[4, 9], [9, 4], [5, 5]] as const) {
    const W = new Float32Array(rows * cols);
    orthogonalInit(W, rows, cols, 2, new Rng(5));
    const vecs = rows <= cols
      ? Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => W[r * cols + c]!))
      : Array.from({ length: cols }, (_, c) => Array.from({ length: rows }, (_, r) => W[r * cols + c]!));
    for (let i = 0; i < vecs.length; i++) {
      for (let j = 0; j < vecs.length; j++) {
        const d = vecs[i]!.reduce((s, v, t) => s + v * vecs[j]![t]!, 0);
        assert.ok(Math.abs(d - (i === j ? 4 : 0)) < 1e-4, `${rows}x${cols}: <v${i},v${j}> = ${d}`);
      }
    }
  }
});

test('Mlp: parameter gradients of the whole network match finite differences', () => {
  const sizes = [5, 4, 3, 2];
  const params = new Float32Array(mlpParamCount(sizes));
  const grads = new Float32Array(params.length);
  const net = new Mlp(sizes, params, grads);
  net.init(new Rng(9), Math.SQRT2, 1);
  for (let i = 0; i < params.length; i++) params[i]! += 0.1 * rng.normal(); // non-zero biases too
  const n = 3;
  const x = randn(n * 5), c = randn(n * 2);
  const out = net.forward(x, n, true);
  grads.fill(0);
  net.backward(c);
  const L = () => dot(c, net.forward(x, n, false));
  assert.ok(Math.abs(L() - dot(c, out)) < 1e-6, 'inference and train forward agree');
  for (let i = 0; i < params.length; i++) assertClose(numGrad(L, params, i, 1e-2), grads[i]!, `param ${i}`);
});

test('Mlp: inference records nothing; backward without a train forward fails; bad sizes fail', () => {
  const sizes = [3, 2, 2];
  const params = new Float32Array(mlpParamCount(sizes));
  const net = new Mlp(sizes, params, new Float32Array(params.length));
  net.forward(randn(3), 1, false);
  assert.throws(() => net.backward(new Float32Array(2)), /no train-mode forward/);
  // A train forward followed by an inference forward still differentiates the train batch.
  net.init(new Rng(1), 1, 1);
  const x = randn(3);
  net.forward(x, 1, true);
  net.forward(randn(6), 2, false);
  net.backward(Float32Array.from([1, 0]));
  assert.throws(() => new Mlp(sizes, new Float32Array(3), new Float32Array(3)), /expected 14 parameters/);
});
