import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionHints, kbFingerprint, hintIdFor, importAuthorsHints, validateKb, formatKb, type HintKb } from '../../../src/core/kb';

const kb = (): HintKb => ({
  version: 1,
  hints: [
    { id: 'h-a', text: 'Favour comedies.', enabled: true, source: 'manual' },
    { id: 'h-b', text: 'Prefer recent films.', enabled: false },
    { id: 'h-c', text: 'Look for repeated directors.', notes: 'x' },
  ],
});

test('actionHints: no hint first, then the enabled hints in file order', () => {
  assert.deepEqual(actionHints(kb()), [
    { id: 'none', text: '' },
    { id: 'h-a', text: 'Favour comedies.' },
    { id: 'h-c', text: 'Look for repeated directors.' },
  ]);
});

test('kbFingerprint changes iff the enabled action set (ids, texts, order) changes', () => {
  const f0 = kbFingerprint(kb());
  assert.match(f0, /^[0-9a-f]{64}$/);
  const same = kb();
  same.hints[2]!.notes = 'changed notes';
  same.hints[0]!.provenance = { model: 'm' };
  same.hints[1]!.text = 'disabled hint edited';
  same.hints[0]!.source = 'imported';
  assert.equal(kbFingerprint(same), f0, 'notes, provenance, source and disabled hints do not count');
  const mutations: ((k: HintKb) => void)[] = [
    (k) => (k.hints[1]!.enabled = true),
    (k) => (k.hints[0]!.enabled = false),
    (k) => (k.hints[0]!.text = 'Favour comedies!'),
    (k) => (k.hints[2]!.id = 'h-d'),
    (k) => k.hints.reverse(),
    (k) => k.hints.push({ id: 'h-e', text: 'New.' }),
    (k) => k.hints.splice(0, 1),
  ];
  for (const m of mutations) {
    const k = kb();
    m(k);
    assert.notEqual(kbFingerprint(k), f0, m.toString());
  }
  // enabled missing == enabled true
  const implicit = kb();
  delete implicit.hints[0]!.enabled;
  assert.equal(kbFingerprint(implicit), f0);
});

test('hintIdFor is stable under case, spacing and punctuation', () => {
  assert.equal(hintIdFor('Favour comedies.'), hintIdFor('  favour   COMEDIES '));
  assert.notEqual(hintIdFor('Favour comedies.'), hintIdFor('Favour dramas.'));
  assert.match(hintIdFor('x'), /^h-[0-9a-f]{8}$/);
});

const authorsFile = join(__dirname, '..', '..', '..', '..', 'shared', 'datasets', 'hetrec2011-movielens', 'official', 'hints.json');

test('importAuthorsHints: the authors\' hetrec KB gives 20 hints, entities decoded, valid KB', { skip: !existsSync(authorsFile) && 'shared datasets not present' }, () => {
  const array = JSON.parse(readFileSync(authorsFile, 'utf8')) as string[];
  assert.equal(array.length, 21);
  const imported = importAuthorsHints(array, { dataset: 'hetrec2011-movielens', file: 'hints.json' });
  assert.equal(imported.hints.length, 20);
  assert.equal(imported.hints[0]!.text, "Consider the release years of movies in user's history for era preference.");
  assert.ok(imported.hints.every((h) => !/&#?\w+;/.test(h.text)), 'no HTML entities left');
  assert.ok(imported.hints.every((h) => h.source === 'imported' && h.enabled === true));
  assert.equal(new Set(imported.hints.map((h) => h.id)).size, 20);
  // Action i is the authors' action i.
  assert.deepEqual(actionHints(imported).map((a) => a.text), ['', ...array.slice(1).map((t) => t.replace('&#39;', "'"))]);
  // Stable: the same file imports to the same ids.
  assert.deepEqual(importAuthorsHints(array).hints.map((h) => h.id), imported.hints.map((h) => h.id));
  const diags = validateKb(formatKb(imported), { maxHintChars: 300 });
  assert.deepEqual(diags.filter((d) => d.severity === 'error'), []);
});

test('importAuthorsHints: duplicate texts get distinct ids, bad entries are named', () => {
  const k = importAuthorsHints(['', 'Favour comedies.', 'favour comedies', 'Tom &amp; Jerry &trade; style.']);
  assert.equal(k.hints.length, 3);
  assert.equal(k.hints[1]!.id, `${k.hints[0]!.id}-2`);
  assert.equal(k.hints[2]!.text, 'Tom & Jerry \u2122 style.');
  assert.throws(() => importAuthorsHints({ hints: [] }, { file: 'x.json' }), /x\.json: expected a JSON array/);
  assert.throws(() => importAuthorsHints(['', 3], { file: 'x.json' }), /x\.json \(field "\[1\]"\): entry 1 is number/);
});
