import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureDataset, rankMessages } from '../sim/simFixture';
import { startSimServer, type SimServer } from '../../../src/core/sim/server';
import type { SimFaults } from '../../../src/core/sim/faults';
import { createLlmClient, LlmError, type LlmClientOptions } from '../../../src/core/llm/client';
import { defaultConfig, type Re2llmConfig } from '../../../src/core/config/defaults';
import type { LogLevel } from '../../../src/core/util/log';
import type { ChatRequest } from '../../../src/core/llm/types';

const ds = fixtureDataset();
const horror = ds.splits.train[0]!;
const KEY = 'sk-test-SECRET-0123456789';
const servers: SimServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function sim(faults: SimFaults = {}, seed = 1): Promise<SimServer> {
  const s = await startSimServer({ dataset: ds, seed, faults });
  servers.push(s);
  return s;
}

function config(url: string, llm: Partial<Re2llmConfig['llm']> = {}): Re2llmConfig {
  const c = defaultConfig();
  c.llm = { ...c.llm, baseUrl: url, model: 're2llm-sim', embeddingModel: 're2llm-sim-embedding', timeoutMs: 2000, ...llm };
  return c;
}

/** Client options that record backoff waits and sleep only 1 ms (Retry-After checked from the record). */
function recording(extra: LlmClientOptions = {}): { opts: LlmClientOptions; delays: number[]; logs: string[] } {
  const delays: number[] = [];
  const logs: string[] = [];
  return {
    delays,
    logs,
    opts: {
      apiKey: KEY,
      backoff: { baseMs: 10, capMs: 40 },
      sleep: async (ms) => {
        delays.push(ms);
        await new Promise((r) => setTimeout(r, 1));
      },
      logger: { log: (_l: LogLevel, m: string) => logs.push(m) },
      ...extra,
    },
  };
}

const ask: ChatRequest = { messages: rankMessages(ds, horror), purpose: 'rank' };

test('a clean call returns the simulator answer with token and cost accounting', async () => {
  const s = await sim();
  const client = createLlmClient(config(s.url, { inputCostPerMTok: 1, outputCostPerMTok: 2 }), { apiKey: KEY });
  const r = await client.chat(ask);
  assert.equal(r.cached, false);
  assert.equal(r.text.split('\n').length, 10);
  assert.match(r.key, /^[0-9a-f]{64}$/);
  const u = client.usage();
  assert.equal(u.calls, 1);
  assert.equal(u.retries, 0);
  assert.ok(u.promptTokens > 100 && u.completionTokens > 10);
  assert.ok(Math.abs(u.cost - (u.promptTokens * 1 + u.completionTokens * 2) / 1e6) < 1e-12);
  assert.deepEqual(client.describe(), { baseUrl: s.url, model: 're2llm-sim', embeddingModel: 're2llm-sim-embedding' });
  assert.ok(!JSON.stringify(client.describe()).includes(KEY));
});

test('prices the user did not set: the simulator on loopback costs nothing; set prices are charged', async () => {
  const s = await sim();
  const free = createLlmClient(config(s.url), { apiKey: KEY });
  await free.chat(ask);
  assert.ok(free.usage().promptTokens > 0);
  assert.equal(free.usage().cost, 0);
  const priced = createLlmClient(config(s.url, { inputCostPerMTok: 0.15, outputCostPerMTok: 0 }), { apiKey: KEY });
  await priced.chat({ ...ask, messages: rankMessages(ds, horror, 'priced') });
  assert.ok(Math.abs(priced.usage().cost - (priced.usage().promptTokens * 0.15) / 1e6) < 1e-12);
});

test('429 is retried and Retry-After is honoured (recorded waits)', async () => {
  const s = await sim({ rate429: 0.5, retryAfterS: 2 }, 3);
  const { opts, delays } = recording();
  const client = createLlmClient(config(s.url, { maxRetries: 8, concurrency: 1 }), opts);
  for (let i = 0; i < 6; i++) await client.chat({ messages: rankMessages(ds, ds.splits.train[i % 4]!, `h${i}`) });
  const n429 = s.stats().faults['429'] ?? 0;
  assert.ok(n429 >= 1, 'seed 3 injects at least one 429');
  assert.equal(delays.length, n429);
  assert.equal(client.usage().retries, n429);
  for (const d of delays) assert.ok(d >= 2000, `waited ${d} ms, Retry-After asked 2000`);
});

test('Retry-After is honoured in real time', async () => {
  const s = await sim({ rate429: 1, retryAfterS: 0.3 });
  const client = createLlmClient(config(s.url, { maxRetries: 1 }), { apiKey: KEY, backoff: { baseMs: 1, capMs: 2 } });
  const t0 = Date.now();
  await assert.rejects(client.chat(ask), (e: LlmError) => e.status === 429 && e.attempts === 2);
  assert.ok(Date.now() - t0 >= 290, `elapsed ${Date.now() - t0} ms`);
});

test('500s, timeouts and malformed answers are retried until an answer comes', async () => {
  const s = await sim({ rate500: 0.3, rateTimeout: 0.2, rateMalformed: 0.2 }, 4);
  const { opts, delays } = recording();
  const client = createLlmClient(config(s.url, { maxRetries: 10, timeoutMs: 300, concurrency: 4 }), opts);
  const answers = await Promise.all([0, 1, 2, 3].map((i) => client.chat({ messages: rankMessages(ds, ds.splits.train[i]!) })));
  for (const a of answers) assert.equal(a.text.split('\n').length, 10);
  const f = s.stats().faults;
  assert.ok((f['500'] ?? 0) >= 1 && (f.timeout ?? 0) >= 1 && (f.malformed ?? 0) >= 1, JSON.stringify(f));
  const injected = (f['500'] ?? 0) + (f.timeout ?? 0) + (f.malformed ?? 0);
  assert.equal(client.usage().retries, injected);
  assert.equal(delays.length, injected);
  for (const d of delays) assert.ok(d >= 0 && d <= 40, `full jitter within the cap: ${d}`);
});

test('400 is not retried', async () => {
  const s = await sim({});
  const { opts, delays } = recording();
  const client = createLlmClient(config(s.url), opts);
  await assert.rejects(client.chat({ messages: [] }), (e: LlmError) => {
    assert.equal(e.status, 400);
    assert.equal(e.attempts, 1);
    assert.equal(e.retryable, false);
    assert.match(e.message, /not retryable/);
    return true;
  });
  assert.equal(s.stats().requests, 1);
  assert.equal(delays.length, 0);
  assert.equal(client.usage().failures, 1);
});

test('exhausted retries give a clear error that never contains the key', async () => {
  const s = await sim({ rate500: 1 });
  const { opts, logs } = recording({ apiKey: KEY });
  const client = createLlmClient(config(s.url, { maxRetries: 2 }), opts);
  await assert.rejects(client.chat(ask), (e: LlmError) => {
    assert.match(e.message, /LLM rank request to re2llm-sim failed: HTTP 500.*gave up after 3 attempts \(llm.maxRetries=2\)/);
    assert.ok(!e.message.includes(KEY) && !(e.stack ?? '').includes(KEY));
    return true;
  });
  assert.equal(s.stats().requests, 3);
  assert.deepEqual({ ...client.usage(), cost: 0 }, { calls: 1, cacheHits: 0, retries: 2, failures: 1, promptTokens: 0, completionTokens: 0, cost: 0, concurrencyLimit: 4, inFlight: 0, backingOff: 0, unanswered: 0 });
  assert.ok(logs.length === 2 && logs.every((l) => !l.includes(KEY)));
});

test('the concurrency bound is respected', async () => {
  const s = await sim({ latencyMs: 60 });
  let inFlight = 0;
  let peak = 0;
  const countingFetch: typeof fetch = async (input, init) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    try {
      return await fetch(input, init);
    } finally {
      inFlight--;
    }
  };
  const client = createLlmClient(config(s.url, { concurrency: 2 }), { apiKey: KEY, fetch: countingFetch });
  await Promise.all([0, 1, 2, 3, 4, 5].map((i) => client.chat({ messages: rankMessages(ds, horror, `hint ${i}`) })));
  assert.equal(peak, 2);
  assert.equal(client.usage().calls, 6);
});

test('calls in flight are counted unanswered until their cost is in: cost / answered calls is the price of one', async () => {
  const s = await sim({});
  const held: Array<() => void> = [];
  // Holds every answer until the test lets it through, as a slow endpoint at c = 64 does.
  const holdingFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    await new Promise<void>((r) => held.push(r));
    return res;
  };
  const client = createLlmClient(config(s.url, { concurrency: 8, inputCostPerMTok: 1, outputCostPerMTok: 2 }), { apiKey: KEY, fetch: holdingFetch });
  const asks = [0, 1, 2].map((i) => client.chat({ messages: rankMessages(ds, horror, `hint ${i}`) }));
  while (held.length < 3) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual([client.usage().calls, client.usage().unanswered, client.usage().cost], [3, 3, 0]);
  held.shift()!();
  await Promise.race(asks);
  const u = client.usage();
  assert.equal(u.calls - u.unanswered!, 1);
  const price = u.cost / (u.calls - u.unanswered!);
  assert.ok(price > 0);
  for (const release of held.splice(0)) release();
  await Promise.all(asks);
  const done = client.usage();
  assert.equal(done.unanswered, 0);
  // Dividing by every call made would have priced a call at a third of that.
  assert.ok(Math.abs(done.cost / done.calls - price) < price * 0.2, `${done.cost / done.calls} vs ${price}`);
});

test('a missing key is an error only when a call is needed, and names the variable', async () => {
  const client = createLlmClient(config('https://llm.example.invalid/v1', { apiKeyEnv: 'MY_LLM_KEY' }), { env: {} });
  await assert.rejects(client.chat(ask), /No API key for https:\/\/llm\.example\.invalid\/v1: set the environment variable MY_LLM_KEY/);
  const s = await sim({});
  const local = createLlmClient(config(s.url), { env: {} });
  assert.equal((await local.chat(ask)).text.split('\n').length, 10, 'loopback endpoints need no key');
  const fromEnv = createLlmClient(config('https://llm.example.invalid/v1', { apiKeyEnv: 'MY_LLM_KEY', maxRetries: 0, timeoutMs: 500 }), {
    env: { MY_LLM_KEY: KEY },
    fetch: async () => {
      throw new TypeError('network disabled in tests');
    },
  });
  await assert.rejects(fromEnv.chat(ask), (e: Error) => /connection error/.test(e.message) && !e.message.includes(KEY));
});

test('embeddings come back in input order, one per text', async () => {
  const s = await sim({});
  const client = createLlmClient(config(s.url), { apiKey: KEY });
  const v = await client.embed(['alpha beta', 'gamma', 'alpha beta']);
  assert.equal(v.length, 3);
  assert.deepEqual(v[0], v[2]);
  assert.notDeepEqual(v[0], v[1]);
  assert.equal(v[0]!.length, 256);
});

test('cancelling during a backoff wait stops the retries', async () => {
  const s = await sim({ rate500: 1 });
  const ac = new AbortController();
  const client = createLlmClient(config(s.url, { maxRetries: 5 }), { apiKey: KEY, backoff: { baseMs: 5000, capMs: 5000 }, seed: 3 });
  const t0 = Date.now();
  const p = client.chat(ask, ac.signal);
  setTimeout(() => ac.abort(), 100);
  await assert.rejects(p, (e: LlmError) => e.kind === 'aborted');
  assert.ok(Date.now() - t0 < 2000, 'did not wait out the backoff');
  assert.equal(s.stats().requests, 1);
});

test('clients of one process share one pool of kept-alive sockets to a plain-HTTP endpoint (a client per command kept its own)', async () => {
  const http = await import('node:http');
  let connections = 0;
  const srv = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: 'c', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
    });
  });
  srv.on('connection', () => connections++);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(srv.address() as import('node:net').AddressInfo).port}/v1`;
    for (let i = 0; i < 3; i++) {
      const client = createLlmClient(config(url), { apiKey: KEY });
      assert.equal((await client.chat({ messages: [{ role: 'user', content: `question ${i}` }] })).text, 'ok');
    }
    assert.equal(connections, 1, 'three clients, one after another, over one connection');
  } finally {
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
  }
});
