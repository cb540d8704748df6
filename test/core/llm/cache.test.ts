import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { fixtureDataset, rankMessages } from '../sim/simFixture';
import { startSimServer, type SimServer } from '../../../src/core/sim/server';
import { createLlmClient, OfflineMissError } from '../../../src/core/llm/client';
import { ResponseCache, cacheKey, CACHE_FILE_NAME, type ChatCacheInput } from '../../../src/core/llm/cache';
import { defaultConfig, type Re2llmConfig } from '../../../src/core/config/defaults';

const ds = fixtureDataset();
const horror = ds.splits.train[0]!;
const KEY = 'sk-cache-test-key-abcdef';
let server: SimServer;
const servers: SimServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function sim(faults = {}): Promise<SimServer> {
  const s = await startSimServer({ dataset: ds, seed: 1, faults });
  servers.push(s);
  return s;
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 're2llm-cache-'));
}

function config(url: string, llm: Partial<Re2llmConfig['llm']> = {}): Re2llmConfig {
  const c = defaultConfig();
  c.llm = { ...c.llm, baseUrl: url, model: 're2llm-sim', embeddingModel: 'sim-emb', ...llm };
  return c;
}

const chatCalls = (s: SimServer): number => s.stats().byRoute['POST /v1/chat/completions'] ?? 0;

test('a second identical request makes zero calls, also from a new process-like cache instance', async () => {
  server = await sim();
  const dir = tmp();
  const c1 = createLlmClient(config(server.url), { apiKey: KEY, cache: await ResponseCache.open(dir) });
  const a = await c1.chat({ messages: rankMessages(ds, horror), purpose: 'rank' });
  const b = await c1.chat({ messages: rankMessages(ds, horror), purpose: 'redundancy' });
  assert.equal(chatCalls(server), 1);
  assert.equal(b.cached, true);
  assert.equal(b.text, a.text);
  assert.equal(b.key, a.key);
  assert.equal(c1.usage().cacheHits, 1);
  // A fresh cache object on the same folder (another run) replays without any call or key.
  const c2 = createLlmClient(config('https://api.example.invalid/v1'), { env: {}, cache: await ResponseCache.open(dir) });
  const c2b = createLlmClient(config(server.url), { env: {}, cache: await ResponseCache.open(dir) });
  assert.equal((await c2b.chat({ messages: rankMessages(ds, horror) })).cached, true);
  assert.equal(chatCalls(server), 1);
  // Different base URL is a different key: c2 misses, and then needs a key.
  await assert.rejects(c2.chat({ messages: rankMessages(ds, horror) }), /No API key/);
  const rec = JSON.parse(readFileSync(join(dir, CACHE_FILE_NAME), 'utf8').trim().split('\n')[0]!);
  assert.equal(rec.input.model, 're2llm-sim');
  // The prompt is kept as its hash and length (it was 83% of the bytes), the answer in full.
  const prompt = rankMessages(ds, horror)[0]!.content;
  assert.deepEqual(rec.input.messages[0], { role: 'user', sha256: createHash('sha256').update(prompt).digest('hex'), chars: prompt.length });
  assert.equal(rec.output.text, a.text);
  assert.ok(!readFileSync(join(dir, CACHE_FILE_NAME), 'utf8').includes(KEY), 'the key is never stored');
});

test('any change to model, temperature, max tokens, seed, format or messages misses', async () => {
  const s = await sim();
  const cache = await ResponseCache.open(tmp());
  const base = { messages: rankMessages(ds, horror) };
  const variants: [Partial<Re2llmConfig['llm']>, typeof base & { responseFormat?: 'json_object' }][] = [
    [{}, base],
    [{ model: 'other-model' }, base],
    [{ temperature: 0.7 }, base],
    [{ maxTokens: 100 }, base],
    [{ seed: 5 }, base],
    [{}, { ...base, responseFormat: 'json_object' }],
    [{}, { messages: rankMessages(ds, horror, 'a hint') }],
    [{}, { messages: [{ role: 'system', content: 'be brief' }, ...base.messages] }],
  ];
  for (const [llm, req] of variants) await createLlmClient(config(s.url, llm), { apiKey: KEY, cache }).chat(req);
  assert.equal(chatCalls(s), variants.length);
  for (const [llm, req] of variants) assert.equal((await createLlmClient(config(s.url, llm), { apiKey: KEY, cache }).chat(req)).cached, true);
  assert.equal(chatCalls(s), variants.length);
  assert.equal((await cache.stats()).entries, variants.length);
});

test('errors are never cached', async () => {
  const s = await sim({ rate500: 1 });
  const dir = tmp();
  const cache = await ResponseCache.open(dir);
  const client = createLlmClient(config(s.url, { maxRetries: 1 }), { apiKey: KEY, cache, backoff: { baseMs: 1, capMs: 2 } });
  await assert.rejects(client.chat({ messages: rankMessages(ds, horror) }));
  assert.equal((await cache.stats()).entries, 0);
  assert.equal(existsSync(join(dir, CACHE_FILE_NAME)), false);
});

test('offline mode answers from the cache and fails clearly on a miss', async () => {
  const s = await sim();
  const dir = tmp();
  await createLlmClient(config(s.url), { apiKey: KEY, cache: await ResponseCache.open(dir) }).chat({ messages: rankMessages(ds, horror) });
  const offline = createLlmClient(config(s.url, { offline: true }), { env: {}, cache: await ResponseCache.open(dir) });
  assert.equal((await offline.chat({ messages: rankMessages(ds, horror) })).cached, true);
  await assert.rejects(offline.chat({ messages: rankMessages(ds, horror, 'new hint'), purpose: 'reflect' }), (e: Error) => {
    assert.ok(e instanceof OfflineMissError);
    assert.match(e.message, /offline mode: no cached answer for a "reflect" request to model re2llm-sim/);
    return true;
  });
  await assert.rejects(offline.embed(['never seen']), /offline mode: no cached embedding for 1 of 1 texts with model sim-emb/);
  assert.equal(chatCalls(s), 1);
});

test('embeddings are cached per input text', async () => {
  const s = await sim();
  const cache = await ResponseCache.open(tmp());
  const client = createLlmClient(config(s.url), { apiKey: KEY, cache });
  const first = await client.embed(['a b', 'c d']);
  const second = await client.embed(['c d', 'e f', 'a b']);
  assert.deepEqual(second[0], first[1]);
  assert.deepEqual(second[2], first[0]);
  assert.equal(s.stats().byRoute['POST /v1/embeddings'], 2);
  assert.equal((await cache.stats()).entries, 3);
  await client.embed(['e f', 'a b']);
  assert.equal(s.stats().byRoute['POST /v1/embeddings'], 2, 'all hits: no request');
});

function input(content: string): ChatCacheInput {
  return { kind: 'chat', baseUrl: 'u', model: 'm', messages: [{ role: 'user', content }], temperature: 0, maxTokens: 5, seed: null, responseFormat: 'text' };
}

test('a torn or invalid last line is ignored, and the next append does not glue onto it', async () => {
  const dir = tmp();
  const c = await ResponseCache.open(dir);
  await c.put(input('one'), { text: 'A', promptTokens: 1, completionTokens: 1 });
  await c.put(input('two'), { text: 'B', promptTokens: 1, completionTokens: 1 });
  const file = join(dir, CACHE_FILE_NAME);
  const whole = readFileSync(file, 'utf8');
  writeFileSync(file, whole + whole.split('\n')[0]!.slice(0, 40)); // crash mid-write of a third record
  const reopened = await ResponseCache.open(dir);
  let st = await reopened.stats();
  assert.equal(st.entries, 2);
  assert.equal((await reopened.get(cacheKey(input('two'))))?.output && (reopened.peek(cacheKey(input('two')))!.output as { text: string }).text, 'B');
  await reopened.put(input('three'), { text: 'C', promptTokens: 1, completionTokens: 1 });
  const again = await ResponseCache.open(dir);
  st = await again.stats();
  assert.equal(st.entries, 3);
  assert.equal(st.invalidLines, 1);
  assert.equal((again.peek(cacheKey(input('three')))!.output as { text: string }).text, 'C');
  appendFileSync(file, 'not json at all\n');
  assert.equal((await (await ResponseCache.open(dir)).stats()).entries, 3);
});

test('duplicate keys: the last record wins; a second instance sees appends from another; clear empties', async () => {
  const dir = tmp();
  const a = await ResponseCache.open(dir);
  const b = await ResponseCache.open(dir);
  await a.put(input('x'), { text: 'old', promptTokens: 1, completionTokens: 1 });
  await a.put(input('x'), { text: 'new', promptTokens: 1, completionTokens: 1 });
  const hit = await b.get(cacheKey(input('x')));
  assert.equal((hit!.output as { text: string }).text, 'new');
  assert.equal((await (await ResponseCache.open(dir)).stats()).entries, 1);
  assert.equal(await b.get(cacheKey(input('nope'))), undefined);
  const st = await b.stats();
  assert.deepEqual([st.hits, st.misses], [1, 1]);
  assert.ok(st.bytes > 0);
  const cleared = await a.clear();
  assert.equal(cleared.removedEntries, 1);
  assert.equal((await b.stats()).entries, 0, 'the other instance notices the file went away');
  assert.equal((await a.stats()).bytes, 0);
});

test('the cache key covers every answer-shaping input and nothing else', () => {
  const k = cacheKey(input('q'));
  assert.equal(cacheKey({ ...input('q') }), k);
  assert.notEqual(cacheKey({ ...input('q'), baseUrl: 'v' }), k);
  assert.notEqual(cacheKey({ ...input('q'), seed: 1 }), k);
  // Key order in the object does not matter (canonical JSON).
  const reordered = JSON.parse(JSON.stringify({ responseFormat: 'text', seed: null, maxTokens: 5, temperature: 0, messages: [{ content: 'q', role: 'user' }], model: 'm', baseUrl: 'u', kind: 'chat' }));
  assert.equal(cacheKey(reordered), k);
});

test('concurrent lookups on a cache another instance fills keep every entry', async () => {
  const dir = tmp();
  const writer = await ResponseCache.open(dir);
  const reader = await ResponseCache.open(dir);
  for (let i = 0; i < 20; i++) await writer.put(input(`q${i}`), { text: `a${i}`, promptTokens: 1, completionTokens: 1 });
  const hits = await Promise.all(Array.from({ length: 20 }, (_, i) => reader.get(cacheKey(input(`q${i}`)))));
  assert.ok(hits.every((h, i) => (h?.output as { text: string } | undefined)?.text === `a${i}`));
  await Promise.all([reader.get(cacheKey(input('missing-1'))), reader.get(cacheKey(input('missing-2')))]);
  const st = await reader.stats();
  assert.equal(st.entries, 20);
  assert.equal(st.invalidLines, 0);
});

test('identical requests in flight at once share one call; the endpoint id replaces the URL in keys', async () => {
  const s = await sim({ latencyMs: 50 });
  const dir = tmp();
  const c = createLlmClient(config(s.url), { apiKey: KEY, cache: await ResponseCache.open(dir) });
  const answers = await Promise.all([1, 2, 3].map(() => c.chat({ messages: rankMessages(ds, horror) })));
  assert.equal(chatCalls(s), 1);
  assert.deepEqual(answers.map((a) => a.text), [answers[0]!.text, answers[0]!.text, answers[0]!.text]);
  assert.deepEqual([c.usage().calls, c.usage().cacheHits], [1, 2]);
  // A simulator on another port with the same endpoint id replays the cache.
  const s2 = await sim();
  const c2 = createLlmClient(config(s2.url, { endpointId: 'sim://stable' }), { apiKey: KEY, cache: await ResponseCache.open(dir) });
  await c2.chat({ messages: rankMessages(ds, horror) });
  const c3 = createLlmClient(config(s.url, { endpointId: 'sim://stable' }), { apiKey: KEY, cache: await ResponseCache.open(dir) });
  assert.equal((await c3.chat({ messages: rankMessages(ds, horror) })).cached, true);
  assert.equal(chatCalls(s), 1);
});

test('a miss reads what another writer appended, also between two of our own appends, and after a clear', async () => {
  const dir = tmp();
  const a = await ResponseCache.open(dir);
  const b = await ResponseCache.open(dir);
  const text = async (c: ResponseCache, q: string): Promise<string | undefined> => ((await c.get(cacheKey(input(q))))?.output as { text: string } | undefined)?.text;
  // b creates the file, then a appends: b's next miss must not trust its own view of the size.
  await b.put(input('b1'), { text: 'B1', promptTokens: 1, completionTokens: 1 });
  await a.put(input('a1'), { text: 'A1', promptTokens: 1, completionTokens: 1 });
  assert.equal(await text(b, 'a1'), 'A1');
  // Interleaved: b, a, b; then b looks up a's record written between its own two.
  await b.put(input('b2'), { text: 'B2', promptTokens: 1, completionTokens: 1 });
  await a.put(input('a2'), { text: 'A2', promptTokens: 1, completionTokens: 1 });
  await b.put(input('b3'), { text: 'B3', promptTokens: 1, completionTokens: 1 });
  assert.equal(await text(b, 'a2'), 'A2');
  // A line appended by something else entirely (another process's raw append).
  const foreign = { key: cacheKey(input('x1')), at: new Date(0).toISOString(), input: input('x1'), output: { text: 'X1', promptTokens: 1, completionTokens: 1 } };
  appendFileSync(join(dir, CACHE_FILE_NAME), JSON.stringify(foreign) + '\n');
  assert.equal(await text(a, 'x1'), 'X1');
  assert.equal(await text(b, 'x1'), 'X1');
  for (const q of ['a1', 'a2', 'b1', 'b2', 'b3']) assert.equal(await text(a, q), q.toUpperCase());
  await a.clear();
  assert.equal(await text(b, 'a1'), undefined, 'the cleared file is noticed on the next miss');
});
