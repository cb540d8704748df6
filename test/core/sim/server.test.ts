import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureDataset, rankMessages, rankOfTitle } from './simFixture';
import { startSimServer, type SimServer } from '../../../src/core/sim/server';
import { simEmbedding } from '../../../src/core/sim/embeddings';
import { FaultPlan } from '../../../src/core/sim/faults';
import type { SimResponder } from '../../../src/core/sim/types';

const ds = fixtureDataset();
const horror = ds.splits.train[0]!;
const servers: SimServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function start(opts: Partial<Parameters<typeof startSimServer>[0]> = {}): Promise<SimServer> {
  const s = await startSimServer({ dataset: ds, seed: 9, ...opts });
  servers.push(s);
  return s;
}

async function post(url: string, body: unknown): Promise<{ status: number; json: any; text: string; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

test('listens on loopback only and lists models', async () => {
  const s = await start();
  assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  const res = await fetch(`${s.url}/models`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { data: { id: string }[] };
  assert.ok(body.data.some((m) => m.id === 're2llm-sim'));
});

test('chat completions: deterministic rank answers, a genre hint moves the target up, stats per responder', async () => {
  const s = await start();
  const ask = async (hint?: string): Promise<string> => {
    const r = await post(`${s.url}/chat/completions`, { model: 'm', messages: rankMessages(ds, horror, hint) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].finish_reason, 'stop');
    assert.ok(r.json.usage.prompt_tokens > 0);
    return r.json.choices[0].message.content as string;
  };
  const a = await ask();
  assert.equal(await ask(), a, 'same prompt, same answer');
  const targetTitle = ds.items.get(horror.target)!.title;
  assert.ok(rankOfTitle(a, targetTitle) > 1, 'without the hint the target is not first');
  assert.equal(rankOfTitle(await ask('Focus on the genre of the movies I liked.'), targetTitle), 1);
  const st = s.stats();
  assert.equal(st.byResponder.rank, 3);
  assert.equal(st.byRoute['POST /v1/chat/completions'], 3);
});

test('bad requests get OpenAI-shaped 4xx errors', async () => {
  const s = await start();
  const bad = await post(`${s.url}/chat/completions`, '{not json');
  assert.equal(bad.status, 400);
  assert.match(bad.json.error.message, /invalid JSON/);
  const empty = await post(`${s.url}/chat/completions`, { model: 'm', messages: [] });
  assert.equal(empty.status, 400);
  const wrongType = await post(`${s.url}/embeddings`, { model: 'e', input: [1, 2] });
  assert.equal(wrongType.status, 400);
  const missing = await post(`${s.url}/nothing`, {});
  assert.equal(missing.status, 404);
  const get = await fetch(`${s.url}/chat/completions`);
  assert.equal(get.status, 405);
});

test('unmatched prompts are answered and counted; registered responders are tried before rank', async () => {
  const echo: SimResponder = { name: 'echo', matches: (m) => m[0]!.content.startsWith('ECHO'), respond: (m) => m[0]!.content.slice(5) };
  const s = await start({ responders: [echo] });
  const r1 = await post(`${s.url}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'ECHO hello' }] });
  assert.equal(r1.json.choices[0].message.content, 'hello');
  await post(`${s.url}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'what is the weather' }] });
  await post(`${s.url}/chat/completions`, { model: 'm', messages: rankMessages(ds, horror) });
  assert.deepEqual(s.stats().byResponder, { echo: 1, unmatched: 1, rank: 1 });
});

test('embeddings: deterministic, unit length, dimensions honoured, similar texts closer', async () => {
  const s = await start();
  const r = await post(`${s.url}/embeddings`, { model: 'e', input: ['horror films of the 1980s', 'horror films of the 1980s', 'romantic comedies'] });
  assert.equal(r.status, 200);
  const [a, b, c] = r.json.data.map((d: { embedding: number[] }) => d.embedding) as number[][];
  assert.equal(a!.length, 256);
  assert.deepEqual(a, b);
  assert.ok(Math.abs(a!.reduce((x, y) => x + y * y, 0) - 1) < 1e-9);
  const cos = (x: number[], y: number[]): number => x.reduce((acc, v, i) => acc + v * y[i]!, 0);
  assert.ok(cos(a!, simEmbedding('horror films from the 1990s')) > cos(a!, c!));
  const d = await post(`${s.url}/embeddings`, { model: 'e', input: 'x', dimensions: 16 });
  assert.equal(d.json.data[0].embedding.length, 16);
  assert.deepEqual(simEmbedding(''), [1, ...new Array(255).fill(0)]);
});

test('faults: 429 carries Retry-After, 500s, malformed and truncated answers, at seeded rates', async () => {
  const s429 = await start({ faults: { rate429: 1, retryAfterS: 3 } });
  const r = await post(`${s429.url}/chat/completions`, { model: 'm', messages: rankMessages(ds, horror) });
  assert.equal(r.status, 429);
  assert.equal(r.headers.get('retry-after'), '3');
  const s500 = await start({ faults: { rate500: 1 } });
  assert.equal((await post(`${s500.url}/chat/completions`, { model: 'm', messages: rankMessages(ds, horror) })).status, 500);
  const sMal = await start({ faults: { rateMalformed: 1 } });
  const mal = await post(`${sMal.url}/chat/completions`, { model: 'm', messages: rankMessages(ds, horror) });
  assert.equal(mal.status, 200);
  assert.equal(mal.json, undefined, 'body is not JSON');
  const sTr = await start({ faults: { rateTruncated: 1 } });
  const tr = await post(`${sTr.url}/chat/completions`, { model: 'm', messages: rankMessages(ds, horror) });
  assert.equal(tr.json.choices[0].finish_reason, 'length');
  assert.ok(tr.json.choices[0].message.content.split('\n').length < 10);
  // Rates: about half of 200 requests fail at rate500 = 0.5, and the same seed repeats the pattern.
  const pattern = async (): Promise<number[]> => {
    const sx = await start({ faults: { rate500: 0.5 }, seed: 9 });
    const out: number[] = [];
    for (let i = 0; i < 200; i++) out.push((await post(`${sx.url}/embeddings`, { model: 'e', input: 'a' })).status);
    return out;
  };
  const p1 = await pattern();
  const fails = p1.filter((x) => x === 500).length;
  assert.ok(fails > 70 && fails < 130, `${fails} of 200`);
  assert.deepEqual(await pattern(), p1);
  assert.throws(() => new FaultPlan({ rate500: 2 }, 1), /rate in \[0, 1\]/);
});
