import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../../src/core/data/load';
import type { SessionDataset } from '../../../src/core/data/types';
import { InputError } from '../../../src/core/util/errors';
import { configFor, fixture, sharedDataset, plain, plainItem } from './helpers';

const ML100K = sharedDataset('ml-100k-recbole');
// No train cap here, so the counts add up to every session built.
const uncapped = { 'dataset.maxTrainSessions': 100000 };
let a: SessionDataset;
let b: SessionDataset;
before(async () => {
  a = await loadDataset(configFor(ML100K, uncapped));
  b = await loadDataset(configFor(ML100K, uncapped));
});

test('ml-100k: items with title, year and genres from typed RecBole fields', () => {
  assert.equal(a.report.format, 'recbole');
  assert.equal(a.items.size, 1682);
  assert.deepEqual(plainItem(a.items.get('1')), { id: '1', title: 'Toy Story', attributes: { year: ['1995'], genres: ['Animation', "Children's", 'Comedy'] } });
});

test('ml-100k: session counts are consistent with the notes and the settings', () => {
  const { train, validation, test: testSplit } = a.splits;
  const total = train.length + validation.length + testSplit.length;
  const built = /into (\d+) sessions; (\d+) have at least 4 interactions.*, (\d+) shorter ones left out/.exec(a.report.notes[0]!);
  assert.ok(built, a.report.notes[0]);
  assert.equal(Number(built[2]), total);
  assert.equal(Number(built[1]), total + Number(built[3]));
  assert.equal(testSplit.length, Math.round(total * 0.2));
  assert.equal(validation.length, Math.round((total - testSplit.length) * 0.3)); // dataset.validationFraction
  const ids = new Set<string>();
  for (const s of [...train, ...validation, ...testSplit]) {
    assert.ok(!ids.has(s.id), `unique id ${s.id}`);
    ids.add(s.id);
    assert.match(s.id, /^\d+@\d{4}-\d{2}-\d{2}$/);
    assert.ok(s.history.length >= 3);
    assert.equal(s.candidates.length, 50);
    assert.equal(new Set(s.candidates).size, 50);
    assert.ok(s.candidates.includes(s.target));
    for (const c of s.candidates) if (c !== s.target) assert.ok(!s.history.includes(c), `negative ${c} not in history of ${s.id}`);
  }
});

test('ml-100k: seeded determinism and a stable hash; another seed changes the content', async () => {
  assert.equal(a.hash, b.hash);
  assert.deepEqual(a.splits, b.splits);
  const other = await loadDataset(configFor(ML100K, { ...uncapped, 'dataset.seed': 7 }));
  assert.notEqual(other.hash, a.hash);
  // Same sessions (grouping does not depend on the seed), different split and negatives.
  const allIds = (d: SessionDataset): string[] => [...d.splits.train, ...d.splits.validation, ...d.splits.test].map((s) => s.id).sort();
  assert.deepEqual(allIds(other), allIds(a));
});

test('ml-100k: the default few-shot cap keeps 500 training sessions (train + validation)', async () => {
  const capped = await loadDataset(configFor(ML100K));
  assert.equal(capped.splits.train.length + capped.splits.validation.length, 500);
  assert.equal(capped.splits.test.length, a.splits.test.length);
  assert.ok(capped.report.notes.some((n) => /training pool capped at 500 of \d+ sessions/.test(n)));
});

test('RecBole session_id field: sessions by id, title from the first token_seq field, other fields as attributes', async () => {
  const ds = await loadDataset(configFor(fixture('data-recbole-sessions'), { 'dataset.candidates': 4, 'dataset.testFraction': 0, 'dataset.validationFraction': 0 }));
  assert.equal(ds.name, 'data-recbole-sessions');
  assert.deepEqual(plainItem(ds.items.get('1')), { id: '1', title: 'The First Game', attributes: { genres: ['RPG', 'Action'], price: ['9.99'] } });
  assert.deepEqual(plain(ds.items.get('2')!.attributes), { genres: ['Puzzle'] }, 'an empty float cell adds no value');
  // s2 (starts at t=5) comes before s1 (t=10); s3 has 2 interactions < minSessionLength 4.
  assert.deepEqual(ds.splits.train.map((s) => [s.id, s.history, s.target]), [
    ['s2', ['5', '6', '1'], '2'],
    ['s1', ['1', '2', '3'], '4'],
  ]);
  assert.ok(ds.report.notes.some((n) => /titles taken from field "name"/.test(n)));
  assert.ok(ds.report.notes.some((n) => /into 3 sessions; 2 have at least 4 interactions .* 1 shorter ones left out/.test(n)));
});

test('RecBole header without types names the file, line 1 and the field', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'recbole-'));
  writeFileSync(join(dir, 'x.inter'), 'user_id:token\titem_id\ttimestamp:float\n1\t1\t1\n');
  writeFileSync(join(dir, 'x.item'), 'item_id:token\ttitle:token_seq\n1\tOne\n');
  await assert.rejects(loadDataset(configFor(dir)), (err: unknown) => err instanceof InputError && err.file === 'x.inter' && err.line === 1 && err.field === 'item_id');
  writeFileSync(join(dir, 'x.inter'), 'user_id:token\titem_id:token\ttimestamp:float\n1\t1\t1\n1\t2\t2\n');
  await assert.rejects(loadDataset(configFor(dir)), /x\.inter:3 \(field "item_id"\): item 2 is not in x\.item/);
});
