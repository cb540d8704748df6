import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { OnnxEncoder, itemText, createEncoder } from '../../../src/core/encode';
import type { TextTokenizer } from '../../../src/core/encode';
import type { Item } from '../../../src/core/data/types';
import { defaultConfig } from '../../../src/core/config/defaults';

const V = 11; // vocabulary
const H = 6; // hidden size
const table = Array.from({ length: V * H }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 5)));

/**
 * A tiny real ONNX graph with a BERT-like signature:
 * input_ids [B, L] int64, attention_mask [B, L] int64 -> last_hidden_state [B, L, H] float,
 * computed as Gather(embedding table, input_ids) * mask (so padding rows are zero).
 */
function tinyModel(): Uint8Array {
  const F = onnx.TensorProto.DataType.FLOAT;
  const I64 = onnx.TensorProto.DataType.INT64;
  const raw = Buffer.alloc(table.length * 4);
  table.forEach((v, i) => raw.writeFloatLE(v, i * 4));
  const axes = Buffer.alloc(8);
  axes.writeBigInt64LE(2n);
  const io = (name: string, elem: number, dims: Array<string | number>): onnx.IValueInfoProto => ({
    name, type: { tensorType: { elemType: elem, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny_encoder',
      initializer: [
        { name: 'emb', dims: [V, H], dataType: F, rawData: new Uint8Array(raw) },
        { name: 'axes', dims: [1], dataType: I64, rawData: new Uint8Array(axes) },
      ],
      node: [
        { opType: 'Gather', input: ['emb', 'input_ids'], output: ['tok'], attribute: [{ name: 'axis', i: 0, type: onnx.AttributeProto.AttributeType.INT }] },
        { opType: 'Cast', input: ['attention_mask'], output: ['maskf'], attribute: [{ name: 'to', i: F, type: onnx.AttributeProto.AttributeType.INT }] },
        { opType: 'Unsqueeze', input: ['maskf', 'axes'], output: ['mask3'] },
        { opType: 'Mul', input: ['tok', 'mask3'], output: ['last_hidden_state'] },
      ],
      input: [io('input_ids', I64, ['B', 'L']), io('attention_mask', I64, ['B', 'L'])],
      output: [io('last_hidden_state', F, ['B', 'L', H])],
    },
  })).finish();
}

/** Test tokenizer: [CLS]=1, words -> 2 + (sum of char codes mod 9), no [SEP]. */
const wordId = (w: string) => 2 + ([...w].reduce((s, c) => s + c.charCodeAt(0), 0) % (V - 2));
const tokenizer: TextTokenizer = {
  encode(text, maxLength) {
    const ids = [1, ...text.toLowerCase().split(/\W+/).filter(Boolean).map(wordId)].slice(0, maxLength);
    return { ids, attentionMask: ids.map(() => 1) };
  },
};

function folderWithModel(): string {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-enc-'));
  writeFileSync(join(dir, 'model.onnx'), tinyModel());
  return dir;
}

test('onnx encoder: mean of the token vectors, padding excluded, batch-independent', async () => {
  const dir = folderWithModel();
  const enc = await OnnxEncoder.create(dir, { tokenizer, batchSize: 2, maxLength: 8 });
  assert.equal(enc.dim, H);
  assert.match(enc.id, /^onnx:onnx-enc-\w+:[0-9a-f]{12}$/);
  const items: Item[] = [
    { id: 'a', title: 'Heat', attributes: {} },
    { id: 'b', title: 'The Long Goodbye', attributes: { genres: ['Crime', 'Mystery'] } },
    { id: 'c', title: 'Up', attributes: {} },
  ];
  const vs = await enc.encodeItems(items);
  items.forEach((it, k) => {
    const ids = tokenizer.encode(itemText(it), 8).ids;
    for (let h = 0; h < H; h++) {
      const want = ids.reduce((s, id) => s + Math.fround(table[id * H + h]!), 0) / ids.length;
      assert.ok(Math.abs(vs[k]![h]! - want) < 1e-5, `item ${it.id} dim ${h}: ${vs[k]![h]} vs ${want}`);
    }
  });
  // Item b is padded in its batch with a; alone it must give the same vector.
  const [alone] = await enc.encodeItems([items[1]!]);
  assert.deepEqual(Array.from(alone!), Array.from(vs[1]!));
});

test('onnx encoder: clear errors naming the encoder for a missing model, tokenizer or runtime input', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'onnx-none-'));
  await assert.rejects(OnnxEncoder.create(empty, { tokenizer }), /encoder onnx: .*model\.onnx not found/);
  const dir = folderWithModel();
  // Without an injected tokenizer it needs tokenizer.json ...
  await assert.rejects(OnnxEncoder.create(dir), /encoder onnx: .*tokenizer\.json not found/);
  // ... and the tokenizer package (not a dependency of this build): the error says which.
  writeFileSync(join(dir, 'tokenizer.json'), '{}');
  let hasPkg = true;
  try { require.resolve('@huggingface/tokenizers'); } catch { hasPkg = false; }
  if (!hasPkg) await assert.rejects(createEncoder({ ...defaultConfig(), encoder: { kind: 'onnx', dim: 8, modelPath: dir } }), /encoder onnx: the tokenizer package @huggingface\/tokenizers is not available/);
  const garbage = mkdtempSync(join(tmpdir(), 'onnx-bad-'));
  writeFileSync(join(garbage, 'model.onnx'), 'not a model');
  await assert.rejects(OnnxEncoder.create(garbage, { tokenizer }), /encoder onnx: onnxruntime could not load/);
});
