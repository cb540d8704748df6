import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureDataset, rankMessages } from '../sim/simFixture';
import { startSimServer, type SimServer } from '../../../src/core/sim/server';
import type { SimFaults } from '../../../src/core/sim/faults';
import { createLlmClient, isRecordableFailure, LlmError, LlmFailureRateError } from '../../../src/core/llm/client';
import { ResponseCache } from '../../../src/core/llm/cache';
import { onlineExecutor } from '../../../src/core/llm/executor';
import { defaultConfig, type Re2llmConfig } from '../../../src/core/config/defaults';
import type { ChatRequest } from '../../../src/core/llm/types';

const ds = fixtureDataset();
const session = ds.splits.train[0]!;
const KEY = 'sk-test-PLANTED-KEY-0123456789';
const QUERY_SECRET = 'PLANTEDQUERYSECRET42';
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
  c.llm = { ...c.llm, baseUrl: url, model: 're2llm-sim', timeoutMs: 2000, ...llm };
  return c;
}

const fast = { backoff: { baseMs: 1, capMs: 2 }, apiKey: KEY };
const ask = (i = 0): ChatRequest => ({ messages: rankMessages(ds, session, i ? `hint ${i}` : undefined), purpose: 'rank' });

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

test('a request that runs out of retries is a recordable failure, not the end of the client', async () => {
  const s = await sim({ rate500: 1 });
  const client = createLlmClient(config(s.url, { maxRetries: 1 }), fast);
  await assert.rejects(client.chat(ask()), (e: unknown) => isRecordableFailure(e) && (e as LlmError).kind === 'HTTP 500');
  const ok = await sim({});
  const healthy = createLlmClient(config(ok.url), fast);
  assert.equal((await healthy.chat(ask())).text.split('\n').length, 10);
});

test('400 (too long, filtered) is recorded per request; 401/403/404 stop the run', async () => {
  let status = 400;
  const fetchStub: typeof fetch = async () => jsonResponse(status, { error: { message: 'refused', type: 'invalid_request_error' } });
  const client = createLlmClient(config('http://127.0.0.1:9/v1'), { ...fast, fetch: fetchStub });
  await assert.rejects(client.chat(ask()), (e: unknown) => isRecordableFailure(e) && (e as LlmError).status === 400);
  for (status of [401, 403, 404]) {
    await assert.rejects(client.chat(ask(status)), (e: unknown) => e instanceof LlmError && !e.recordable && e.status === status);
  }
});

test('the run stops when failures pass llm.maxFailureRate, naming the endpoint (redacted) and the commonest error', async () => {
  const s = await sim({ rate500: 1 });
  const url = `${s.url}?api-key=${QUERY_SECRET}`;
  const client = createLlmClient(config(url, { maxRetries: 0, maxFailureRate: 0.05 }), fast);
  const errors: unknown[] = [];
  for (let i = 0; i < 25; i++) {
    try {
      await client.chat(ask(i));
    } catch (e) {
      errors.push(e);
    }
  }
  // 19 recorded failures: the rate is judged from the 20th request on.
  assert.equal(errors.slice(0, 19).filter(isRecordableFailure).length, 19);
  const stop = errors[19];
  assert.ok(stop instanceof LlmFailureRateError, String(stop));
  assert.match(stop.message, /20 of 20 LLM requests to http:\/\/127\.0\.0\.1:\d+\/v1 \(credentials removed\)/);
  assert.match(stop.message, /commonest error: HTTP 500 \(20×\)/);
  assert.ok(!stop.message.includes(QUERY_SECRET) && !stop.message.includes(KEY));
  // Every later request stops at once, without a call.
  const before = s.stats().requests;
  assert.ok(errors.slice(20).every((e) => e instanceof LlmFailureRateError));
  assert.equal(s.stats().requests, before);
});

test('a few failures under the rate let the run go on', async () => {
  let n = 0;
  const s = await sim({});
  const flaky: typeof fetch = async (input, init) => (n++ === 3 ? jsonResponse(400, { error: { message: 'context length exceeded' } }) : fetch(input, init));
  const client = createLlmClient(config(s.url, { maxRetries: 0, maxFailureRate: 0.05 }), { ...fast, fetch: flaky });
  let failed = 0;
  for (let i = 0; i < 40; i++) await client.chat(ask(i)).catch((e) => (isRecordableFailure(e) ? failed++ : Promise.reject(e)));
  assert.equal(failed, 1);
  assert.equal(client.usage().failures, 1);
});

test('a hung request times out and frees its slot for the others', async () => {
  const s = await sim({});
  let first = true;
  const hangOnce: typeof fetch = (input, init) => {
    if (!first) return fetch(input, init);
    first = false;
    return new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason ?? new Error('aborted'))));
  };
  const client = createLlmClient(config(s.url, { concurrency: 1, maxRetries: 0, timeoutMs: 200 }), { ...fast, fetch: hangOnce });
  const results = await Promise.allSettled([client.chat(ask(1)), client.chat(ask(2)), client.chat(ask(3))]);
  assert.equal(results[0]!.status, 'rejected');
  assert.ok(isRecordableFailure((results[0] as PromiseRejectedResult).reason));
  assert.equal(((results[0] as PromiseRejectedResult).reason as LlmError).kind, 'timeout');
  assert.deepEqual(results.slice(1).map((r) => r.status), ['fulfilled', 'fulfilled']);
});

test('429s halve the in-flight limit; answers grow it back (usage shows limit, retries, failures)', async () => {
  const s = await sim({});
  let rateLimit = 6;
  const limited: typeof fetch = async (input, init) =>
    rateLimit-- > 0 ? jsonResponse(429, { error: { message: 'slow down' } }, { 'retry-after-ms': '1' }) : fetch(input, init);
  const client = createLlmClient(config(s.url, { concurrency: 16, maxRetries: 10 }), { ...fast, fetch: limited });
  await Promise.all([1, 2, 3, 4, 5, 6].map((i) => client.chat(ask(i))));
  const u = client.usage();
  assert.ok(u.concurrencyLimit! < 16, `limit ${u.concurrencyLimit}`);
  assert.equal(u.retries, 6);
  assert.equal(u.failures, 0);
  const low = u.concurrencyLimit!;
  for (let i = 10; i < 80; i++) await client.chat(ask(i));
  assert.ok(client.usage().concurrencyLimit! > low, 'recovers additively');
});

test('the simulator (sim:// endpoint id) is sent no key; a configured endpoint gets it', async () => {
  const s = await sim({});
  const seen: (string | null)[] = [];
  const spy: typeof fetch = async (input, init) => {
    seen.push(new Headers(init?.headers).get('authorization'));
    return fetch(input, init);
  };
  const simClient = createLlmClient(config(s.url, { endpointId: 'sim://v2/abc/seed-1' }), { apiKey: KEY, fetch: spy });
  await simClient.chat(ask());
  assert.equal(seen[0], null);
  const real = createLlmClient(config(s.url), { apiKey: KEY, fetch: spy });
  await real.chat(ask());
  assert.equal(seen[1], `Bearer ${KEY}`);
});

test('a planted key and query secret appear in no cache file; the query still reaches the endpoint', async () => {
  const s = await sim({});
  const urls: string[] = [];
  const spy: typeof fetch = async (input, init) => {
    urls.push(String(input instanceof Request ? input.url : input));
    return fetch(input, init);
  };
  const dir = await mkdtemp(join(tmpdir(), 're2llm-secret-'));
  const cache = await ResponseCache.open(dir);
  const url = `${s.url}?api-version=2024-10-21&api-key=${QUERY_SECRET}`;
  const client = createLlmClient(config(url), { apiKey: KEY, cache, fetch: spy });
  await client.chat(ask());
  await client.embed(['alpha']);
  assert.match(urls[0]!, new RegExp(`/v1/chat/completions\\?api-version=2024-10-21&api-key=${QUERY_SECRET}$`));
  for (const f of await readdir(dir)) {
    const text = (await readFile(join(dir, f))).toString('latin1');
    assert.ok(!text.includes(QUERY_SECRET) && !text.includes(KEY), `${f} holds a secret`);
  }
  // Rotating the key in the query keeps the cache warm.
  const rotated = createLlmClient(config(`${s.url}?api-version=2024-10-21&api-key=OTHERSECRET`), { apiKey: KEY, cache, fetch: spy });
  assert.equal((await rotated.chat(ask())).cached, true);
});

test('a plan fill keeps the client width busy: requests waiting to retry free their slots for others (a fixed pool of llm.concurrency waited)', async () => {
  const s = await sim({});
  const attempted = new Set<string>();
  // Every request's first attempt gets a 503; its retry waits on a gate this test opens.
  const first: typeof fetch = async (input, init) => {
    const body = String(init?.body ?? '');
    if (!attempted.has(body)) {
      attempted.add(body);
      return jsonResponse(503, { error: { message: 'busy' } });
    }
    return fetch(input, init);
  };
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const client = createLlmClient(config(s.url, { concurrency: 4 }), { ...fast, fetch: first, sleep: () => gate });
  const requests = Array.from({ length: 12 }, (_, i) => ({ cacheKey: `k${i}`, request: ask(i + 1), input: {} as never }));
  const filled = onlineExecutor(client, 4).fill(requests);
  // All 12 are sent while the first 4 still wait to retry: each wait frees its slot.
  for (let waited = 0; attempted.size < 12 && waited < 20_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  assert.equal(attempted.size, 12, `requests sent while others wait to retry: ${attempted.size}`);
  assert.equal(client.usage().backingOff, 12);
  open();
  const report = await filled;
  assert.deepEqual([report.filled, report.failed], [12, 0]);
  assert.equal(client.usage().backingOff, 0);
});
