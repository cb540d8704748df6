import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Item, Session, SessionDataset } from '../../../src/core/data/types';
import { HashingEncoder, itemTokens, encodeSession, encodeSessions, ItemVectorCache, itemText, OpenAiEncoder, createEncoder } from '../../../src/core/encode';
import type { SessionEncoder } from '../../../src/core/encode';
import type { LlmClient } from '../../../src/core/llm/types';
import { emptyUsage } from '../../../src/core/llm/types';
import { defaultConfig } from '../../../src/core/config/defaults';

const items: Item[] = [
  { id: '1', title: 'Toy Story (1995)', attributes: { genres: ['Animation', 'Comedy'], directors: ['John Lasseter'], year: ['1995'] } },
  { id: '2', title: 'Heat', attributes: { genres: ['Crime'] } },
  { id: '3', title: 'Amélie', attributes: {} },
];
function tinyDataset(): SessionDataset {
  return {
    name: 'tiny', root: '/tmp', domain: { item: 'movie', items: 'movies', verb: 'watched' },
    items: new Map(items.map((i) => [i.id, i])),
    splits: { train: [], validation: [], test: [] }, hash: 'h',
    report: { format: 'jsonl', files: [], skippedRows: 0, skippedExamples: [], notes: [] },
  };
}
const session = (id: string, history: string[]): Session => ({ id, history, target: '3', candidates: ['3'] });

test('item text and hashing tokens: title words, family:value tokens, accents folded', () => {
  assert.equal(itemText(items[0]!), 'Toy Story (1995). directors: John Lasseter. genres: Animation, Comedy. year: 1995');
  const toks = itemTokens(items[0]!);
  assert.ok(toks.includes('t:toy') && toks.includes('t:1995') && toks.includes('genres:animation') && toks.includes('directors:john lasseter') && toks.includes('directors~john'));
  assert.deepEqual(itemTokens(items[2]!), ['t:amelie']);
});

test('hashing encoder: deterministic, unit norm, dim from config, different items differ', async () => {
  const enc = (await createEncoder({ ...defaultConfig(), encoder: { ...defaultConfig().encoder, dim: 64 } })) as HashingEncoder;
  assert.equal(enc.dim, 64);
  assert.equal(enc.id, 'hashing:64');
  const [a, b] = await enc.encodeItems([items[0]!, items[1]!]);
  const [a2] = await new HashingEncoder(64).encodeItems([items[0]!]);
  assert.deepEqual(Array.from(a!), Array.from(a2!));
  const norm = Math.hypot(...a!);
  assert.ok(Math.abs(norm - 1) < 1e-6);
  assert.notDeepEqual(Array.from(a!), Array.from(b!));
  // signed: some buckets negative
  assert.ok(a!.some((v) => v < 0) && a!.some((v) => v > 0));
  assert.throws(() => new HashingEncoder(0), /dim must be a positive integer/);
});

test('session state is the mean of its history items, and item vectors are cached per encoder', async () => {
  let calls = 0;
  let encoded = 0;
  const base = new HashingEncoder(16);
  const counting: SessionEncoder = { id: 'counting', dim: 16, encodeItems: async (xs) => { calls++; encoded += xs.length; return base.encodeItems(xs); } };
  const ds = tinyDataset();
  const cache = new ItemVectorCache();
  const s = await encodeSession(counting, ds, session('s1', ['1', '2', '1']), cache);
  const [v1, v2] = await base.encodeItems([items[0]!, items[1]!]);
  for (let j = 0; j < 16; j++) assert.ok(Math.abs(s[j]! - (2 * v1![j]! + v2![j]!) / 3) < 1e-6);
  assert.equal(calls, 1);
  assert.equal(encoded, 2, 'repeated items are encoded once');
  const many = await encodeSessions(counting, ds, [session('a', ['2']), session('b', ['2', '3'])], cache);
  assert.equal(many.length, 2);
  assert.equal(calls, 2);
  assert.equal(encoded, 3, 'only item 3 was new');
  await encodeSession(counting, ds, session('c', ['3', '1']), cache);
  assert.equal(calls, 2, 'fully cached session: no encoder call');
  assert.equal(cache.size('counting'), 3);
  await assert.rejects(encodeSession(counting, ds, session('d', ['99']), cache), /session d: history item 99 is not in the dataset/);
  await assert.rejects(encodeSession(counting, ds, session('e', []), cache), /session e: empty history/);
  const wrong: SessionEncoder = { id: 'wrong', dim: 4, encodeItems: async (xs) => xs.map(() => new Float32Array(3)) };
  await assert.rejects(encodeSession(wrong, ds, session('f', ['1']), cache), /encoder wrong: vector of length 3, expected 4/);
});

function fakeClient(dim: number, log: string[][]): LlmClient {
  return {
    chat: async () => { throw new Error('no chat'); },
    embed: async (texts) => { log.push(texts); return texts.map((t) => Array.from({ length: dim }, (_, j) => (t.length % 7) + j)); },
    usage: () => emptyUsage(),
    describe: () => ({ baseUrl: 'http://127.0.0.1', model: 'm', embeddingModel: 'emb-test' }),
  };
}

test('openai encoder: learns its dim from a probe, embeds item texts in batches through the client', async () => {
  const log: string[][] = [];
  const enc = await OpenAiEncoder.create(fakeClient(5, log), items[1]!, 2);
  assert.equal(enc.dim, 5);
  assert.equal(enc.id, 'openai:emb-test');
  const vs = await enc.encodeItems(items);
  assert.equal(vs.length, 3);
  assert.deepEqual(log.slice(1).map((b) => b.length), [2, 1]);
  assert.equal(log[1]![0], itemText(items[0]!));
  assert.deepEqual(Array.from(vs[1]!), [5, 6, 7, 8, 9]); // 'Heat. genres: Crime'.length = 19; 19 % 7 = 5
});

test('openai encoder: a failing endpoint gives an error naming the encoder; no client is an error', async () => {
  const bad: LlmClient = { ...fakeClient(3, []), embed: async () => { throw new Error('401 bad key'); } };
  await assert.rejects(OpenAiEncoder.create(bad, items[0]!), /encoder openai \(emb-test\): embeddings request failed: 401/);
  await assert.rejects(createEncoder({ ...defaultConfig(), encoder: { ...defaultConfig().encoder, kind: 'openai' } }), /encoder openai: no LLM client/);
  await assert.rejects(createEncoder({ ...defaultConfig(), encoder: { ...defaultConfig().encoder, kind: 'onnx', modelPath: '' } }), /encoder onnx: encoder.modelPath is empty/);
});
