import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../../src/core/data/load';
import { InputError } from '../../../src/core/util/errors';
import { configFor, fixture, plain, plainItem } from './helpers';

const small = { 'dataset.candidates': 3, 'dataset.testFraction': 0, 'dataset.validationFraction': 0 };

test('csv: sessions per user and UTC day, ordered by time, attributes split on the separator', async () => {
  const ds = await loadDataset(configFor(fixture('data-csv-basic'), small));
  assert.equal(ds.report.format, 'csv');
  assert.deepEqual(plainItem(ds.items.get('i1')), { id: 'i1', title: 'Heat, the movie', attributes: { genres: ['Crime', 'Action'], year: ['1995'] } });
  assert.deepEqual(plain(ds.items.get('i7')!.attributes), { genres: ['Drama'] }, 'an empty cell adds no value');
  // u1 on 2020-01-01: rows given out of time order; u1 on 2020-01-02 has 2 events (< 4);
  // u2's last event is an ISO date on the same UTC day.
  assert.deepEqual(ds.splits.train.map((s) => [s.id, s.history, s.target]), [
    ['u1@2020-01-01', ['i1', 'i2', 'i3', 'i4'], 'i5'],
    ['u2@2020-01-01', ['i2', 'i1', 'i8'], 'i6'],
  ]);
  for (const s of ds.splits.train) {
    assert.equal(s.candidates.length, 3);
    assert.ok(s.candidates.includes(s.target));
    for (const c of s.candidates) if (c !== s.target) assert.ok(!s.history.includes(c));
  }
  assert.ok(ds.report.notes.some((n) => /11 interactions grouped by user and UTC day into 3 sessions; 2 have at least 4 .* 1 shorter ones left out/.test(n)));
});

test('csv: a session column and a column mapping; title-only items; no timestamp keeps file order', async () => {
  const ds = await loadDataset(
    configFor(fixture('data-csv-sessions'), {
      ...small,
      'dataset.csvInteractions': 'sessions.csv',
      'dataset.csvItems': 'movies.csv',
      'dataset.csvColumns': { session: 'sid', item: 'movie', itemId: 'mid', title: 'name' },
      'dataset.format': 'csv',
    }),
  );
  assert.deepEqual(plainItem(ds.items.get('m1')), { id: 'm1', title: 'First', attributes: {} });
  assert.deepEqual(ds.splits.train.map((s) => [s.id, s.history, s.target]).sort(), [
    ['s1', ['m1', 'm2', 'm3'], 'm4'],
    ['s2', ['m3', 'm4', 'm5'], 'm6'],
  ]);
  assert.ok(ds.report.notes.some((n) => /no "timestamp" column; sessions keep the file order/.test(n)));
});

test('csv: a bad row stops the import naming file, line and field', async () => {
  await assert.rejects(loadDataset(configFor(fixture('data-csv-bad-rows'), small)), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.equal(err.file, 'interactions.csv');
    assert.equal(err.line, 4);
    assert.equal(err.field, 'timestamp');
    assert.match(err.message, /timestamp "yesterday" is not a number or an ISO date/);
    return true;
  });
});

test('csv: skip mode counts bad rows (bad time, unknown item, short row) and keeps the rest', async () => {
  const ds = await loadDataset(configFor(fixture('data-csv-bad-rows'), { ...small, 'dataset.skipBadRows': true }));
  assert.equal(ds.report.skippedRows, 3);
  assert.deepEqual(ds.report.skippedExamples, [
    'interactions.csv:4 (field "timestamp"): timestamp "yesterday" is not a number or an ISO date',
    'interactions.csv:5 (field "item_id"): item "i9" is not in items.csv',
    'interactions.csv:6 (field "timestamp"): expected 3 columns, got 2',
  ]);
  // The 4 good rows form one session of length 4 (times 100..500 are on the same UTC day).
  assert.deepEqual(ds.splits.train.map((s) => [s.history, s.target]), [[['i1', 'i2', 'i5'], 'i6']]);
});

test('csv: a missing mapped column names the file and the column', async () => {
  await assert.rejects(
    loadDataset(configFor(fixture('data-csv-basic'), { ...small, 'dataset.csvColumns': { user: 'customer' } })),
    /interactions\.csv:1 \(field "customer"\): missing user column "customer"/,
  );
});

test('csv: an unclosed quote is reported from the line where the broken record starts', async () => {
  const { mkdtempSync, writeFileSync, copyFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'csv-quote-'));
  copyFileSync(join(fixture('data-csv-bad-rows'), 'items.csv'), join(dir, 'items.csv'));
  writeFileSync(join(dir, 'interactions.csv'), 'user_id,item_id,timestamp\nu1,i1,100\nu1,"i2,200\nu1,i3,300\nu1,i4,400\n');
  await assert.rejects(loadDataset(configFor(dir, small)), /^InputError: interactions\.csv:3: invalid CSV: Quote Not Closed.*\(lines 3-5 unreadable\)/);
  const ds = await loadDataset(configFor(dir, { ...small, 'dataset.skipBadRows': true }));
  assert.equal(ds.report.skippedRows, 1);
  assert.match(ds.report.skippedExamples[0]!, /lines 3-5 unreadable/);
});
