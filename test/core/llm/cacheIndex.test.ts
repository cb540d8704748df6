// The indexed cache store: the sidecar index, its rebuild, the older responses.jsonl, torn tails,
// and two processes appending at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

for (const at of ['one after another', 'all at once (grouped writes)'] as const) test(`two processes appending to one cache at once, ${at} in each, lose nothing and tear nothing`, async () => {
  const dir = tmp();
  const put = (who: string) =>
    `c.put({ kind: 'chat', baseUrl: 'u', model: 'm', messages: [{ role: 'user', content: '${who}' + i }], temperature: 0, maxTokens: 5, seed: null, responseFormat: 'text' }, { text: '${who}' + i, promptTokens: 1, completionTokens: 1 })`;
  const body = (who: string) =>
    at === 'one after another'
      ? `for (let i = 0; i < 300; i++) { await c.get('0'.repeat(64)); await ${put(who)}; }`
      : `for (let r = 0; r < 3; r++) await Promise.all(Array.from({ length: 100 }, (_, j) => { const i = r * 100 + j; return ${put(who)}; }));`;
  const script = (who: string) =>
    `const { ResponseCache } = require(${JSON.stringify(join(ROOT, 'src', 'core', 'llm', 'cache.ts'))});
     (async () => { const c = await ResponseCache.open(${JSON.stringify(dir)}); ${body(who)} })();`;
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

test('index format 2: an older-format index, a zero-filled tail (a crash before the data reached the disk) and a block cut short are each rebuilt', async () => {
  const dir = tmp();
  const c = await ResponseCache.open(dir);
  for (let i = 0; i < 40; i++) await c.put(input(`q${i}`), out(`a${i}`));
  await c.refresh();
  const idx = join(dir, 'answers.idx');
  const good = readFileSync(idx);
  assert.equal(good.toString('latin1', 0, 8), 'R2LLMIX2');
  assert.equal(good.toString('latin1', 48, 56), 'R2LLMBLK', 'a block follows the file header');
  const reopened = async (): Promise<Buffer> => {
    const r = await ResponseCache.open(dir);
    const st = await r.stats();
    assert.deepEqual([st.entries, st.invalidLines], [40, 0]);
    assert.equal(await textOf(r, 'q39'), 'a39');
    return readFileSync(idx);
  };
  // An index of the first format (R2LLMIX1) is not read: rebuilt as format 2.
  const v1 = Buffer.from(good);
  v1.write('R2LLMIX1', 0, 'latin1');
  writeFileSync(idx, v1);
  assert.deepEqual(await reopened(), good);
  // Zeros where entries should be: every checksum and block header fails, so it is rebuilt.
  writeFileSync(idx, Buffer.concat([good, Buffer.alloc(48 * 3)]));
  assert.deepEqual(await reopened(), good);
  const zeroedEntries = Buffer.from(good);
  zeroedEntries.fill(0, 96 + 48 * 5, 96 + 48 * 7);
  writeFileSync(idx, zeroedEntries);
  assert.deepEqual(await reopened(), good, 'zeroed entries would read as invalid-line markers if not caught');
  // A block whose header promises more entries than follow.
  writeFileSync(idx, good.subarray(0, good.length - 48));
  assert.deepEqual(await reopened(), good);
});

test('the key table: base entries from a file and entries added later, duplicates (last wins), growth past the first capacity', async () => {
  const { KeyTable, ENTRY_BYTES } = await import('../../../src/core/llm/keyTable');
  const key = (i: number): Buffer => require('node:crypto').createHash('sha256').update(`k${i % 700}`).digest();
  // A "file" of 2 header units and 1,000 entries (keys repeat: 700 distinct).
  const buf = Buffer.alloc((1002) * ENTRY_BYTES);
  for (let i = 0; i < 1000; i++) {
    const at = (i + 2) * ENTRY_BYTES;
    key(i).copy(buf, at);
    buf.writeDoubleLE(i * 10, at + 32);
    buf.writeUInt32LE(i + 1, at + 40);
  }
  const t = KeyTable.over(buf, 1000, (place) => {
    for (let u = 2; u < 1002; u++) place(u);
  });
  assert.equal(t.size, 700);
  assert.deepEqual(t.get(key(5)), { offset: 705 * 10, length: 706 }, 'the later entry of a repeated key');
  assert.deepEqual(t.get(key(699)), { offset: 6990, length: 700 });
  for (let i = 0; i < 5000; i++) t.insert(key(i + 300), 0, 100_000 + i, 7);
  assert.equal(t.size, 700);
  assert.deepEqual(t.get(key(5)), { offset: 100_000 + 4605, length: 7 }, "i + 300 = 4905 = 5 (mod 700)");
  assert.equal(t.get(Buffer.alloc(32, 1)), undefined);
  const fresh = new KeyTable(2);
  for (let i = 0; i < 3000; i++) fresh.insert(require('node:crypto').createHash('sha256').update(`n${i}`).digest(), 0, i, i);
  assert.equal(fresh.size, 3000);
  assert.deepEqual(fresh.get(require('node:crypto').createHash('sha256').update('n2999').digest()), { offset: 2999, length: 2999 });
});

test('answers put at once each land as one whole line; a put that cannot be written fails and keeps nothing, and the next is written', async () => {
  const dir = tmp();
  const c = await ResponseCache.open(dir);
  await Promise.all(Array.from({ length: 50 }, (_, i) => c.put(input(`g${i}`), out(`A${i}`))));
  const lines = readFileSync(join(dir, CACHE_FILE_NAME), 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 50);
  for (const l of lines) JSON.parse(l);
  // The data file replaced by a folder: every put is rejected, none is half-kept.
  rmSync(join(dir, CACHE_FILE_NAME));
  mkdirSync(join(dir, CACHE_FILE_NAME));
  const failed = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => c.put(input(`f${i}`), out(`F${i}`))));
  assert.deepEqual(failed.map((r) => r.status), Array(5).fill('rejected'));
  for (let i = 0; i < 5; i++) assert.equal(c.peek(cacheKey(input(`f${i}`))), undefined);
  rmSync(join(dir, CACHE_FILE_NAME), { recursive: true });
  await Promise.all([c.put(input('after1'), out('B1')), c.put(input('after2'), out('B2'))]);
  const again = await ResponseCache.open(dir);
  assert.equal(await textOf(again, 'after2'), 'B2');
});
