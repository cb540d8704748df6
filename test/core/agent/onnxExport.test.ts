import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onnx } from 'onnx-proto';
import { Rng } from '../../../src/core/util/rng';
import { PpoTrainer, ppoArgs } from '../../../src/core/agent/ppo';
import { exportActorOnnx } from '../../../src/core/agent/onnxExport';
import { generateBandit, TableBandit } from '../../../src/core/agent/syntheticBandit';
import { loadOnnxRuntime } from '../../../src/core/encode/onnxRuntime';

const hintIds = ['none', 'h-a', 'h-b', 'h-c', 'h-d'];

for (const normalizeStates of [true, false]) {
  test(`ONNX actor equals the TypeScript forward pass to 1e-5 (normalizeStates=${normalizeStates})`, async () => {
    const f = generateBandit({ types: 3, dim: 12, arms: 5, contexts: 64, seed: 2 });
    const env = new TableBandit(12, 5, f.train);
    const t = new PpoTrainer(env, ppoArgs('bandit', { seed: 4, totalSteps: 64 * 4, normalizeStates }));
    while (!t.finished) await t.runUpdate(); // non-trivial weights and normaliser statistics
    const bytes = exportActorOnnx(t.agent, { hintIds, encoder: 'hashing:12', kbFingerprint: 'abc' });

    const model = onnx.ModelProto.decode(bytes);
    const meta = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    assert.deepEqual(JSON.parse(meta.hint_ids!), hintIds);
    assert.equal(meta.state_dim, '12');
    assert.equal(meta.kb_fingerprint, 'abc');
    const ops = model.graph!.node!.map((n) => n.opType);
    assert.deepEqual(ops.filter((o) => o !== 'Sub' && o !== 'Div' && o !== 'Clip'), ['Gemm', 'Tanh', 'Gemm', 'Tanh', 'Gemm', 'Softmax']);
    assert.equal(ops.includes('Sub'), normalizeStates);

    const ort = loadOnnxRuntime('test');
    const session = await ort.InferenceSession.create(bytes);
    const rng = new Rng(77);
    const n = 20;
    // Random states, some far outside the training distribution so the Clip path is exercised.
    const x = Float32Array.from({ length: n * 12 }, (_, i) => (i % 7 === 0 ? 50 : 2) * rng.normal());
    const out = await session.run({ state: new ort.Tensor('float32', x, [n, 12]) });
    const got = out.probs!.data as Float32Array;
    const want = t.agent.probs(x, n);
    assert.equal(got.length, want.length);
    let maxDiff = 0;
    for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - want[i]!));
    assert.ok(maxDiff <= 1e-5, `max |onnx - ts| = ${maxDiff}`);
  });
}

test('ONNX export refuses hint ids that do not match the action count', () => {
  const f = generateBandit({ types: 2, dim: 4, arms: 3, contexts: 8, seed: 1 });
  const t = new PpoTrainer(new TableBandit(4, 3, f.train), ppoArgs('paper', { seed: 1, totalSteps: 32 }));
  assert.throws(() => exportActorOnnx(t.agent, { hintIds: ['none'] }), /1 hint ids for 3 actions/);
});
