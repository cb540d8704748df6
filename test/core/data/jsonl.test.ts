import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../../../src/core/data/load';
import { writeJsonlDataset } from '../../../src/core/data/jsonlWrite';
import { InputError } from '../../../src/core/util/errors';
import { configFor, fixture, plain, plainItem } from './helpers';

test('jsonl: numeric ids stringified, attributes as string or list, title-only items, validation sliced from train', async () => {
  const ds = await loadDataset(configFor(fixture('data-jsonl-basic'), { 'dataset.validationFraction': 0.4 }));
  assert.equal(ds.report.format, 'jsonl');
  assert.deepEqual(plainItem(ds.items.get('a')), { id: 'a', title: 'Alpha', attributes: { genres: ['Drama', 'Crime'], year: ['1990'] } });
  assert.deepEqual(plainItem(ds.items.get('2')), { id: '2', title: 'Beta', attributes: { genres: ['Comedy'], year: ['1991'] } });
  assert.deepEqual(plainItem(ds.items.get('f')), { id: 'f', title: 'Phi', attributes: {} });
  // The interchange format takes titles as written: no entity decoding.
  assert.equal(ds.items.get('c')!.title, 'Gamma &amp; Delta');
  assert.equal(ds.splits.train.length + ds.splits.validation.length, 5);
  assert.equal(ds.splits.validation.length, 2); // round(5 * 0.4)
  const all = [...ds.splits.train, ...ds.splits.validation];
  assert.deepEqual(all.find((s) => s.id === '4'), { id: '4', history: ['a'], target: '2', candidates: ['2', 'c', 'd'] });
  assert.deepEqual(ds.splits.test.map((s) => s.id), ['x1', 'x2']);
  assert.ok(ds.report.notes.includes('sessions_train.jsonl: 1 blank line(s) ignored'));
  assert.ok(ds.report.notes.some((n) => /validation sliced from train: 2 sessions/.test(n)));
  assert.ok(ds.report.notes.some((n) => /test: 1 session\(s\) repeat a candidate id .* x2/.test(n)));
});

test('jsonl: title-only items with an explicit validation file', async () => {
  const ds = await loadDataset(configFor(fixture('data-jsonl-title-only')));
  assert.equal(ds.items.size, 6);
  for (const item of ds.items.values()) assert.deepEqual(plain(item.attributes), {});
  assert.deepEqual(
    [ds.splits.train.length, ds.splits.validation.length, ds.splits.test.length],
    [2, 1, 1],
  );
  assert.equal(ds.splits.validation[0]!.id, 'va1');
});

test('jsonl: a bad row stops the import naming file, line and field', async () => {
  await assert.rejects(loadDataset(configFor(fixture('data-jsonl-bad-rows'))), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.equal(err.message, 'sessions_train.jsonl:2 (field "candidates"): target "f" is not among the candidates');
    return true;
  });
});

test('jsonl: skip mode counts every bad row with its reason and keeps the good ones', async () => {
  const ds = await loadDataset(configFor(fixture('data-jsonl-bad-rows'), { 'dataset.skipBadRows': true, 'dataset.validationFraction': 0 }));
  assert.deepEqual(ds.splits.train.map((s) => s.id), ['ok1', 'ok2']);
  assert.equal(ds.report.skippedRows, 4);
  assert.equal(ds.report.skippedExamples[0], 'sessions_train.jsonl:2 (field "candidates"): target "f" is not among the candidates');
  assert.equal(ds.report.skippedExamples[1], 'sessions_train.jsonl:3 (field "items[1]"): unknown item "zzz" (not in items.jsonl)');
  assert.match(ds.report.skippedExamples[2]!, /^sessions_train\.jsonl:4: invalid JSON/);
  assert.match(ds.report.skippedExamples[3]!, /^sessions_train\.jsonl:5 \(field "id"\): duplicate session id "ok1" \(first in sessions_train\.jsonl:1\)/);
  assert.ok(ds.report.notes.includes('4 bad row(s) skipped (dataset.skipBadRows)'));
});

test('jsonl: writer and reader round-trip to the same content hash', async () => {
  const src = await loadDataset(configFor(fixture('data-jsonl-title-only')));
  const dir = mkdtempSync(join(tmpdir(), 'jsonl-'));
  await writeJsonlDataset(dir, src.items.values(), src.splits);
  const back = await loadDataset(configFor(dir));
  assert.equal(back.hash, src.hash);
});

test('jsonl: bad items name the field; a missing test file is an error', async () => {
  const { writeFileSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'jsonl-'));
  writeFileSync(join(dir, 'items.jsonl'), '{"id":"1","title":"One"}\n{"id":"2","title":"Two","attributes":{"genres":[{"x":1}]}}\n');
  writeFileSync(join(dir, 'sessions_train.jsonl'), '{"id":"s","items":["1"],"target":"2","candidates":["2","1"]}\n');
  await assert.rejects(loadDataset(configFor(dir)), /items\.jsonl:2 \(field "attributes\.genres"\): expected a string or a list of strings/);
  writeFileSync(join(dir, 'items.jsonl'), '{"id":"1","title":"One"}\n{"id":"2","title":""}\n');
  await assert.rejects(loadDataset(configFor(dir)), /items\.jsonl:2 \(field "title"\)/);
  writeFileSync(join(dir, 'items.jsonl'), '{"id":"1","title":"One"}\n{"id":"2","title":"Two"}\n');
  await assert.rejects(loadDataset(configFor(dir)), /sessions_test\.jsonl: missing test sessions file/);
});
