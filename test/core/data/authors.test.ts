import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../../src/core/data/load';
import type { SessionDataset } from '../../../src/core/data/types';
import { InputError } from '../../../src/core/util/errors';
import { configFor, fixture, sharedDataset, plain } from './helpers';

// The real folder is loaded once for this file (the 1.2 MB test pickle dominates).
let real: SessionDataset;
before(async () => {
  real = await loadDataset(configFor(sharedDataset('hetrec2011-movielens')));
});

test('authors folder: 500 pickled train sessions across train+validation, 4790 test, origin-based ids', () => {
  assert.equal(real.report.format, 'authors');
  assert.equal(real.items.size, 10197);
  assert.equal(real.splits.train.length + real.splits.validation.length, 500);
  assert.equal(real.splits.validation.length, 150); // validationFraction 0.3
  assert.equal(real.splits.test.length, 4790);
  const trainIds = new Set([...real.splits.train, ...real.splits.validation].map((s) => s.id));
  for (let i = 0; i < 500; i++) assert.ok(trainIds.has(`train-${i}`), `train-${i}`);
  assert.equal(real.splits.test[0]!.id, 'test-0');
  assert.equal(real.splits.test[4789]!.id, 'test-4789');
  // First pickled training session, checked by hand against the pickle and example_train_text.json.
  const first = [...real.splits.train, ...real.splits.validation].find((s) => s.id === 'train-0')!;
  assert.deepEqual(first.history, ['40583', '48593', '30793', '48', '2541']);
  assert.equal(real.items.get(first.target)!.title, 'The Addams Family');
});

test('authors folder: every candidate list has 50 ids including the target; max history 1212', () => {
  let maxHistory = 0;
  for (const s of [...real.splits.train, ...real.splits.validation, ...real.splits.test]) {
    assert.equal(s.candidates.length, 50, s.id);
    assert.ok(s.candidates.includes(s.target), s.id);
    for (const id of [...s.history, ...s.candidates]) assert.ok(real.items.has(id), `${s.id}: ${id}`);
    maxHistory = Math.max(maxHistory, s.history.length);
  }
  assert.equal(maxHistory, 1212);
  // The authors' sampler repeats the target in 28 sessions: kept, and reported.
  assert.ok(real.report.notes.some((n) => /test: 25 session\(s\) repeat a candidate id/.test(n)));
});

test('authors folder: latin1 titles and attributes (year, genres, directors, countries) are joined', () => {
  const toy = real.items.get('1')!;
  assert.equal(toy.title, 'Toy story');
  assert.deepEqual(plain(toy.attributes), {
    year: ['1995'],
    genres: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'],
    directors: ['John Lasseter'],
    countries: ['USA'],
  });
  const titles = [...real.items.values()].map((i) => i.title);
  assert.ok(titles.includes('Léon'), 'ISO-8859-1 decoded');
  assert.ok(titles.includes('La cité des enfants perdus'));
  assert.ok(!titles.some((t) => t.includes('\r') || t.includes('\uFFFD')));
  assert.ok([...real.items.values()].some((i) => i.attributes.directors?.includes('Luis Buñuel')));
});

test('authors folder: prompt labels are checked against the pickled targets; hash recorded', () => {
  assert.ok(real.report.notes.includes('official/example_train_text.json: 500 prompt labels checked against the pickled targets, 0 mismatch(es)'));
  assert.ok(real.report.notes.includes('official/example_test_text.json: 100 prompt labels checked against the pickled targets, 0 mismatch(es)'));
  assert.match(real.hash, /^[0-9a-f]{64}$/);
  assert.ok(real.report.files.includes('official/example_test.txt'));
});

test('flat authors layout: HTML entities decoded, missing countries file noted, label mismatch reported', async () => {
  const ds = await loadDataset(configFor(fixture('data-authors-flat'), { 'dataset.validationFraction': 0 }));
  assert.equal(ds.report.format, 'authors');
  assert.equal(ds.items.get('4')!.title, 'Secrets & Lies');
  assert.equal(ds.items.get('5')!.title, 'Café au lait');
  assert.equal(ds.items.get('3')!.title, 'Léon');
  assert.deepEqual(plain(ds.items.get('5')!.attributes), {}, '\\N year is no year');
  assert.deepEqual(plain(ds.items.get('6')!.attributes), { year: ['1995'], genres: ['Crime', 'Action'], directors: ['Michael Mann'] });
  assert.deepEqual(
    ds.splits.train.map((s) => s.id),
    ['train-0', 'train-1', 'train-2'],
  );
  assert.deepEqual(ds.splits.test[1], { id: 'test-1', history: ['4', '5', '6'], target: '1', candidates: ['2', '3', '1', '7'] });
  const notes = ds.report.notes.join('\n');
  assert.match(notes, /movie_countries\.dat not found/);
  assert.match(notes, /movie_genres\.dat: 1 row\(s\) name movies absent/);
  assert.match(notes, /example_train_text\.json: 3 prompt labels checked against the pickled targets, 1 mismatch/);
  assert.match(notes, /\[2\]: label "Leon" but target 3 is "Léon"/);
});

test('bad pickle entries name the file and the entry field; skip mode counts them', async () => {
  const path = fixture('data-authors-bad-pickle');
  await assert.rejects(loadDataset(configFor(path)), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.equal(err.file, 'example_train.txt');
    assert.equal(err.field, '[1].candidates');
    assert.match(err.message, /target 3 is not among the candidates/);
    return true;
  });
  const ds = await loadDataset(configFor(path, { 'dataset.skipBadRows': true, 'dataset.validationFraction': 0 }));
  assert.deepEqual(ds.splits.train.map((s) => s.id), ['train-0']);
  assert.equal(ds.report.skippedRows, 3);
  assert.match(ds.report.skippedExamples[1]!, /\[2\]\.history\[1\].*item 42 is not in the item files/);
  assert.match(ds.report.skippedExamples[2]!, /entry 3 is not a \(history, target, candidates\) tuple/);
  assert.ok(ds.report.notes.some((n) => /example_test\.txt not found/.test(n)));
});
