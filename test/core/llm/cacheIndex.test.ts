// The indexed cache store: the sidecar index, its rebuild, the older responses.jsonl, torn tails,
// and two processes appending at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResponseCache, cacheKey, CACHE_FILE_NAME, LEGACY_CACHE_FILE_NAME, type ChatCacheInput } from '../../../src/core/llm/cache';

const ROOT = join(__dirname, '..', '..', '..');
const tmp = (): string => mkdtempSync(join(tmpdir(), 're2llm-cacheidx-'));
const input = (content: string): ChatCacheInput => ({ kind: 'chat', baseUrl: 'u', model: 'm', messages: [{ role: 'user', content }], temperature: 0, maxTokens: 5, seed: null, responseFormat: 'text' });
const out = (text: string) => ({ text, promptTokens: 1, completionTokens: 1 });
const textOf = async (c: ResponseCache, q: string): Promise<string | undefined> => ((await c.get(cacheKey(input(q))))?.output as { text: string } | undefined)?.text;

test('thousands of answers survive reopening through the index; lookups find each one', async () => {
  const dir = tmp();
  const c = await ResponseCache.open(dir);
  for (let i = 0; i < 3000; i++) await c.put(input(`q${i}`), out(`a${i}`));
  await c.refresh(); // indexes what this instance appended
  assert.ok(statSync(join(dir, 'answers.idx')).size > 3000 * 48 - 1);
  const again = await ResponseCache.open(dir);
  assert.equal((await again.stats()).entries, 3000);
  for (const i of [0, 1, 1234, 2999]) assert.equal(await textOf(again, `q${i}`), `a${i}`);
  assert.equal(await textOf(again, 'never asked'), undefined);
});

test('a missing, torn or corrupted index is rebuilt from the data file', async () => {
  const dir = tmp();
  const c = await ResponseCache.open(dir);
  for (let i = 0; i < 50; i++) await c.put(input(`q${i}`), out(`a${i}`));
  await c.refresh();
  const idx = join(dir, 'answers.idx');
  const good = readFileSync(idx);
  const check = async (): Promise<void> => {
    const r = await ResponseCache.open(dir);
    assert.equal((await r.stats()).entries, 50);
    assert.equal(await textOf(r, 'q49'), 'a49');
    assert.equal((await r.stats()).invalidLines, 0);
  };
  rmSync(idx);
  await check();
  assert.ok(existsSync(idx), 'rebuilt');
  appendFileSync(idx, Buffer.from('torn entry')); // a partial entry
  await check();
  const flipped = Buffer.from(good);
  flipped.writeUInt8(flipped.readUInt8(48 * 10 + 40) ^ 0xff, 48 * 10 + 40); // a bad crc in the middle
  writeFileSync(idx, flipped);
  await check();
});

test('a torn tail is reported by stats and kept out; the next append starts on a new line', async () => {
  const dir = tmp();
  const c = await ResponseCache.open(dir);
  await c.put(input('one'), out('A'));
  const file = join(dir, CACHE_FILE_NAME);
  appendFileSync(file, '{"key":"abc');
  const r = await ResponseCache.open(dir);
  let st = await r.stats();
  assert.deepEqual([st.entries, st.tornTail, st.invalidLines], [1, true, 0]);
  await r.put(input('two'), out('B'));
  st = await (await ResponseCache.open(dir)).stats();
  assert.deepEqual([st.entries, st.tornTail, st.invalidLines], [2, false, 1]);
});

test('an older responses.jsonl is read (never written); new answers go to answers.jsonl', async () => {
  const dir = tmp();
  const legacy = join(dir, LEGACY_CACHE_FILE_NAME);
  const old = (q: string, a: string) => JSON.stringify({ key: cacheKey(input(q)), input: input(q), output: out(a), at: '2026-01-01T00:00:00.000Z' });
  writeFileSync(legacy, `${old('x', 'X')}\n${old('y', 'Y')}\nnot json\n`);
  const before = readFileSync(legacy);
  const c = await ResponseCache.open(dir);
  assert.equal(await textOf(c, 'x'), 'X');
  await c.put(input('z'), out('Z'));
  assert.deepEqual(readFileSync(legacy), before);
  const again = await ResponseCache.open(dir);
  const st = await again.stats();
  assert.deepEqual([st.entries, st.invalidLines, st.legacyFile], [3, 1, legacy]);
  assert.equal(await textOf(again, 'z'), 'Z');
  assert.equal(await textOf(again, 'y'), 'Y');
  await again.clear();
  assert.equal(existsSync(legacy), false);
});

test('two processes appending to one cache at once lose nothing and tear nothing', async () => {
  const dir = tmp();
  const script = (who: string) =>
    `const { ResponseCache } = require(${JSON.stringify(join(ROOT, 'src', 'core', 'llm', 'cache.ts'))});
     (async () => { const c = await ResponseCache.open(${JSON.stringify(dir)});
       for (let i = 0; i < 300; i++) { await c.get('0'.repeat(64)); await c.put({ kind: 'chat', baseUrl: 'u', model: 'm', messages: [{ role: 'user', content: '${who}' + i }], temperature: 0, maxTokens: 5, seed: null, responseFormat: 'text' }, { text: '${who}' + i, promptTokens: 1, completionTokens: 1 }); } })();`;
  const run = (who: string) =>
    new Promise<void>((resolve, reject) =>
      execFile(process.execPath, ['--import', require.resolve('tsx'), '-e', script(who)], { cwd: ROOT }, (err, _o, stderr) => (err ? reject(new Error(stderr)) : resolve())),
    );
  await Promise.all([run('a'), run('b')]);
  const c = await ResponseCache.open(dir);
  const st = await c.stats();
  assert.deepEqual([st.entries, st.invalidLines, st.tornTail], [600, 0, false]);
  assert.equal(await textOf(c, 'a299'), 'a299');
  assert.equal(await textOf(c, 'b0'), 'b0');
  // An index rebuilt from the data file agrees.
  rmSync(join(dir, 'answers.idx'));
  assert.equal((await (await ResponseCache.open(dir)).stats()).entries, 600);
});
