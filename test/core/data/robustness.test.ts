/**
 * Hostile or unlucky input (issue 12 rows 7-10): out-of-range timestamps, bytes that are not
 * UTF-8, attribute families named like Object members, and the line reader every importer uses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../../../src/core/data/load';
import { datasetHash } from '../../../src/core/data/hash';
import { forEachLine } from '../../../src/core/data/lines';
import { hashJson } from '../../../src/core/util/hash';
import { InputError } from '../../../src/core/util/errors';
import { ProfileEncoder, datasetFamilies } from '../../../src/core/encode/profile';
import { HashingEncoder } from '../../../src/core/encode/hashing';
import { profileOf } from '../../../src/core/sim/families';
import { configFor, fixture } from './helpers';

const small = { 'dataset.candidates': 3, 'dataset.testFraction': 0, 'dataset.validationFraction': 0, 'dataset.minSessionLength': 2 };

function folder(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'data-robust-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
}

const CSV_ITEMS = 'item_id,title\ni1,One\ni2,Two\ni3,Three\ni4,Four\ni5,Five\n';

for (const bad of ['1e20', '-1e300']) {
  test(`csv: timestamp ${bad} names file, line and field; skip mode counts it`, async () => {
    const dir = folder({ 'items.csv': CSV_ITEMS, 'interactions.csv': `user_id,item_id,timestamp\nu1,i1,100\nu1,i2,${bad}\nu1,i3,300\nu1,i4,400\n` });
    await assert.rejects(loadDataset(configFor(dir, small)), (err: unknown) => {
      assert.ok(err instanceof InputError, String(err));
      assert.equal(err.file, 'interactions.csv');
      assert.equal(err.line, 3);
      assert.equal(err.field, 'timestamp');
      assert.match(err.message, /out of range/);
      return true;
    });
    const ds = await loadDataset(configFor(dir, { ...small, 'dataset.skipBadRows': true }));
    assert.equal(ds.report.skippedRows, 1);
    assert.match(ds.report.skippedExamples[0]!, /^interactions\.csv:3 \(field "timestamp"\): timestamp ".*" is out of range/);
    assert.deepEqual(ds.splits.train.map((s) => [s.history, s.target]), [[['i1', 'i3'], 'i4']]);
  });

  test(`recbole: timestamp ${bad} names file, line and field; skip mode counts it`, async () => {
    const dir = folder({
      'x.item': 'item_id:token\ttitle:token_seq\n1\tOne\n2\tTwo\n3\tThree\n4\tFour\n5\tFive\n',
      'x.inter': `user_id:token\titem_id:token\ttimestamp:float\nu\t1\t10\nu\t2\t${bad}\nu\t3\t30\nu\t4\t40\n`,
    });
    await assert.rejects(loadDataset(configFor(dir, small)), /^InputError: x\.inter:3 \(field "timestamp"\): timestamp ".*" is out of range/);
    const ds = await loadDataset(configFor(dir, { ...small, 'dataset.skipBadRows': true }));
    assert.equal(ds.report.skippedRows, 1);
  });
}

const latin1Title = Buffer.concat([Buffer.from('item_id,title\ni1,Am'), Buffer.from([0xe9]), Buffer.from('lie\ni2,Two\ni3,Three\ni4,Four\ni5,Five\n')]);
const latin1Inter = 'user_id,item_id,timestamp\nu1,i1,100\nu1,i2,200\nu1,i3,300\n';

test('csv: a Latin-1 byte in a UTF-8 file stops the import naming file and line; dataset.encoding=latin1 reads it', async () => {
  const dir = folder({ 'items.csv': latin1Title, 'interactions.csv': latin1Inter });
  await assert.rejects(loadDataset(configFor(dir, small)), (err: unknown) => {
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.file, 'items.csv');
    assert.equal(err.line, 2);
    assert.match(err.message, /not valid UTF-8.*dataset\.encoding/);
    return true;
  });
  const ds = await loadDataset(configFor(dir, { ...small, 'dataset.encoding': 'latin1' }));
  assert.equal(ds.items.get('i1')!.title, 'Amélie');
});

test('recbole and jsonl: non-UTF-8 bytes are refused with file and line, never replaced with U+FFFD', async () => {
  const rb = folder({
    'x.item': Buffer.concat([Buffer.from('item_id:token\ttitle:token_seq\n1\tOne\n2\tCaf'), Buffer.from([0xe9]), Buffer.from('\n3\tThree\n4\tFour\n5\tFive\n')]),
    'x.inter': 'user_id:token\titem_id:token\ttimestamp:float\nu\t1\t10\nu\t2\t20\nu\t3\t30\n',
  });
  await assert.rejects(loadDataset(configFor(rb, small)), /^InputError: x\.item:3: bytes that are not valid UTF-8/);
  assert.equal((await loadDataset(configFor(rb, { ...small, 'dataset.encoding': 'latin1' }))).items.get('2')!.title, 'Café');

  const jl = folder({
    'items.jsonl': Buffer.concat([Buffer.from('{"id":"a","title":"A"}\n{"id":"b","title":"Caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]),
    'sessions_train.jsonl': '{"id":"s","items":["a"],"target":"b","candidates":["b","a"]}\n',
    'sessions_test.jsonl': '',
  });
  await assert.rejects(loadDataset(configFor(jl, small)), /^InputError: items\.jsonl:2: bytes that are not valid UTF-8/);
});

test('authors: the HetRec .dat files are still read as ISO-8859-1 whatever dataset.encoding says', async () => {
  const ds = await loadDataset(configFor(fixture('data-authors-flat')));
  assert.ok([...ds.items.values()].every((i) => !i.title.includes('\ufffd')));
});

test('attribute families named __proto__, constructor and toString are kept as data and flow through hash, encoders and the simulator', async () => {
  const dir = folder({
    'items.jsonl': [
      '{"id":"a","title":"A","attributes":{"__proto__":["x"],"constructor":["c1"],"genres":["g"]}}',
      '{"id":"b","title":"B","attributes":{"__proto__":["y"],"toString":["t"]}}',
      '{"id":"c","title":"C"}',
      '{"id":"d","title":"D","attributes":{"__proto__":["x"]}}',
    ].join('\n') + '\n',
    'sessions_train.jsonl': '{"id":"s1","items":["a","b"],"target":"c","candidates":["c","d"]}\n',
    'sessions_test.jsonl': '{"id":"t1","items":["b","d"],"target":"a","candidates":["a","c"]}\n',
  });
  const ds = await loadDataset(configFor(dir, small));
  const a = ds.items.get('a')!;
  assert.equal(Object.getPrototypeOf(a.attributes), null);
  assert.deepEqual(Object.keys(a.attributes).sort(), ['__proto__', 'constructor', 'genres']);
  assert.deepEqual(a.attributes['__proto__'], ['x']);
  assert.equal(ds.items.get('c')!.attributes['constructor'], undefined, 'no inherited member where the item has no such family');

  // The hash sees the family: changing its value changes the hash.
  const other = new Map(ds.items);
  other.set('a', { ...a, attributes: Object.assign(Object.create(null), { ...a.attributes, ['__proto__']: ['z'] }) });
  Object.defineProperty(other.get('a')!.attributes, '__proto__', { value: ['z'], enumerable: true, writable: true, configurable: true });
  assert.notEqual(datasetHash(other, ds.splits), datasetHash(ds.items, ds.splits));

  const families = datasetFamilies(ds);
  assert.deepEqual(families, ['__proto__', 'constructor', 'genres', 'toString']);
  const state = new ProfileEncoder(families).encodeHistory([ds.items.get('c')!, a]);
  assert.ok([...state].every(Number.isFinite));
  assert.ok(new HashingEncoder(16).encodeOne(a).some((v) => v !== 0));
  const profile = profileOf(ds);
  assert.ok(profile.families.some((f) => f.name === '__proto__'), 'the simulator reads the family too');
});

test('datasetHash streams the same digest as hashJson of the whole dataset', async () => {
  const ds = await loadDataset(configFor(fixture('data-jsonl-basic')));
  const plainItems = new Map([...ds.items].map(([k, it]) => [k, { ...it, attributes: { ...it.attributes } }]));
  assert.equal(datasetHash(ds.items, ds.splits), hashJson({ items: [...plainItems.values()].sort((x, y) => (x.id < y.id ? -1 : 1)), splits: ds.splits }));
});

test('forEachLine: LF and CRLF, a BOM on line 1, no empty piece after the final newline, lines across read chunks', async () => {
  const long = 'x'.repeat(3 << 20);
  const dir = folder({ 'f.txt': '\ufeffone\r\ntwo\n\n' + long + '\nlast' });
  const seen: Array<[number, string]> = [];
  await forEachLine(join(dir, 'f.txt'), 'utf8', 'f.txt', (t, n) => seen.push([n, t.length > 10 ? `len ${t.length}` : t]));
  assert.deepEqual(seen, [[1, 'one'], [2, 'two'], [3, ''], [4, `len ${3 << 20}`], [5, 'last']]);
});
