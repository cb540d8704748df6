import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateKb, hasErrors, type Diagnostic } from '../../../src/core/kb';

const fixtures = join(__dirname, '..', '..', 'fixtures');
const read = (p: string): string => readFileSync(join(fixtures, p), 'utf8');

const dataset = {
  name: 'tiny-movies',
  items: new Map(
    [
      ['1', 'Toy Story'],
      ['2', 'Heat'],
      ['3', 'Matrix, The'],
      ['4', 'True Story'],
    ].map(([id, title]) => [id!, { id: id!, title: title! }]),
  ),
};

const byCode = (diags: Diagnostic[], code: string): Diagnostic[] => diags.filter((d) => d.code === code);
const rangeText = (text: string, d: Diagnostic): string => text.slice(d.range.start, d.range.end);

test('a valid KB has no diagnostics', () => {
  const diags = validateKb(read('kb-valid/movies.hints.json'), { dataset, maxHintChars: 300 });
  assert.deepEqual(diags, []);
});

test('invalid JSON: a parse error at the missing comma, nothing else', () => {
  const text = read('kb-invalid-json/broken.hints.json');
  const diags = validateKb(text, { maxHintChars: 300 });
  assert.ok(diags.length >= 1);
  assert.ok(diags.every((d) => d.code === 'parse' && d.severity === 'error'));
  assert.match(diags[0]!.message, /comma expected/);
  // Points at the line of the second hint (line 5).
  assert.equal(text.slice(0, diags[0]!.range.start).split('\n').length, 5);
});

test('comments are refused with a clear message', () => {
  const diags = validateKb('{ // note\n "version": 1, "hints": [] }', { maxHintChars: 300 });
  assert.equal(diags[0]?.code, 'parse');
  assert.match(diags[0]!.message, /comments are not allowed/);
});

test('schema errors carry JSON paths and ranges of the bad values', () => {
  const text = read('kb-schema-errors/schema.hints.json');
  const diags = validateKb(text, { maxHintChars: 300 });
  assert.ok(hasErrors(diags));
  assert.ok(diags.every((d) => d.code === 'schema'));
  const at = (path: (string | number)[]): Diagnostic | undefined => diags.find((d) => JSON.stringify(d.path) === JSON.stringify(path));
  assert.equal(rangeText(text, at(['version'])!), '2');
  assert.match(at(['version'])!.message, /^version: must be equal to constant: 1/);
  assert.equal(rangeText(text, at(['colour'])!), '"colour": "blue"');
  assert.match(at(['colour'])!.message, /unknown property "colour"/);
  assert.equal(rangeText(text, at(['hints', 0, 'id'])!), '"hint-1"');
  assert.match(at(['hints', 0, 'id'])!.message, /^hints\[0\]\.id: must match pattern/);
  assert.equal(rangeText(text, at(['hints', 1, 'text'])!), '42');
  assert.equal(rangeText(text, at(['hints', 1, 'enabled'])!), '"yes"');
  assert.match(at(['hints', 2, 'source'])!.message, /"reflection", "manual", "imported"/);
  assert.match(at(['hints', 3])!.message, /missing required property "id"/);
  assert.equal(rangeText(text, at(['hints', 3])!), '{ "text": "No id here." }');
});

test('semantic checks: each diagnostic code, with the hint it relates to (and schema errors do not hide them)', () => {
  const text = read('kb-semantic-errors/semantic.hints.json');
  const diags = validateKb(text, { dataset, maxHintChars: 120 });
  const codes = new Set(diags.map((d) => d.code));
  for (const c of ['dataset-mismatch', 'duplicate-id', 'duplicate-text', 'near-duplicate', 'empty', 'overlong', 'leak', 'schema']) {
    assert.ok(codes.has(c as Diagnostic['code']), `missing ${c}: ${JSON.stringify([...codes])}`);
  }
  const dupId = byCode(diags, 'duplicate-id');
  assert.equal(dupId.length, 1);
  assert.deepEqual(dupId[0]!.path, ['hints', 1, 'id']);
  assert.equal(dupId[0]!.severity, 'error');
  assert.equal(rangeText(text, dupId[0]!), '"h-a"');

  const dupText = byCode(diags, 'duplicate-text');
  assert.deepEqual(dupText.map((d) => [d.path[1], d.relatedHintId]), [[2, 'h-a']]);
  const near = byCode(diags, 'near-duplicate');
  assert.deepEqual(near.map((d) => [d.path[1], d.relatedHintId]), [[3, 'h-a']]);

  assert.deepEqual(byCode(diags, 'empty').map((d) => d.path), [['hints', 4, 'text']]);
  assert.deepEqual(byCode(diags, 'overlong').map((d) => d.path), [['hints', 5, 'text']]);
  const leak = byCode(diags, 'leak');
  assert.deepEqual(leak.map((d) => d.path), [['hints', 6, 'text']]);
  assert.match(leak[0]!.message, /"Toy Story"/);
  // "none" is the implicit no-hint action's id: the schema's id pattern refuses it.
  assert.deepEqual(byCode(diags, 'schema').map((d) => d.path), [['hints', 7, 'id']]);
  // Ranges are the exact JSON value.
  for (const d of diags) assert.ok(d.range.end > d.range.start, `${d.code} has an empty range`);
  assert.ok(hasErrors(diags));
});

test('leakage ignores one-word and common-word titles, finds "Title, The" forms', () => {
  const ds = {
    name: 'x',
    items: new Map(
      [
        ['1', 'Heat'],
        ['2', 'True Story'],
        ['3', 'Big Lebowski, The'],
        ['4', 'Star Wars (1977)'],
      ].map(([id, title]) => [id!, { id: id!, title: title! }]),
    ),
  };
  const kb = (t: string): string => JSON.stringify({ version: 1, hints: [{ id: 'h-1', text: t }] });
  const leaks = (t: string): number => validateKb(kb(t), { dataset: ds, maxHintChars: 300 }).filter((d) => d.code === 'leak').length;
  assert.equal(leaks('Films that turn up the heat are welcome.'), 0);
  assert.equal(leaks('Prefer movies based on a true story.'), 0);
  assert.equal(leaks('Recommend the Big Lebowski next.'), 1);
  assert.equal(leaks('Anything like star-wars works.'), 1);
  assert.equal(leaks('Consider the stars and wars of old.'), 0);
});

test('overlong and near-duplicate are warnings; a KB with only warnings has no errors', () => {
  const text = JSON.stringify({
    version: 1,
    hints: [
      { id: 'h-1', text: 'Favour films from the same decade as recent ones.' },
      { id: 'h-2', text: 'Favour films from the same decade as the recent ones.' },
    ],
  });
  const diags = validateKb(text, { maxHintChars: 20 });
  assert.ok(diags.length > 0);
  assert.ok(!hasErrors(diags));
});

test('every leaked title is reported, one-word titles when written as a name, and a leak is an error', () => {
  const ds = {
    name: 'x',
    items: new Map(
      [
        ['1', 'Gladiator'],
        ['2', 'Toy story'],
        ['3', 'Heat'],
        ['4', 'Drama'],
      ].map(([id, title]) => [id!, { id: id!, title: title! }]),
    ),
  };
  const kb = (t: string): string => JSON.stringify({ version: 1, hints: [{ id: 'h-1', text: t }] });
  const leak = (t: string) => validateKb(kb(t), { dataset: ds, maxHintChars: 300 }).filter((d) => d.code === 'leak');
  const both = leak('Rank Gladiator and Toy story first.');
  assert.equal(both.length, 1);
  assert.equal(both[0]!.severity, 'error');
  assert.match(both[0]!.message, /"Toy story"/);
  assert.match(both[0]!.message, /"Gladiator"/);
  // Lower case, sentence-initial and genre words are ordinary words, not names.
  assert.equal(leak('Films that turn up the heat are welcome.').length, 0);
  assert.equal(leak('Heat and pace matter to this user. Gladiator-style epics too.').length, 0);
  assert.equal(leak('Prefer Drama over comedy.').length, 0);
});
