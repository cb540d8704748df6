import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRankedAnswer, type MatchMode } from '../../../src/core/parse/rankedAnswer';

/** Titles with the quirks of real data: ". ", "; ", " - ", ", The", entities, remakes. */
const CANDIDATES = [
  { id: 'sunset', title: 'Sunset Blvd.' },
  { id: 'smith', title: 'Mr. Smith Goes to Washington' },
  { id: 'clone', title: 'Star Wars: The Clone Wars' },
  { id: 'starwars', title: 'Star Wars' },
  { id: 'buffalo', title: "Buffalo Bill and the Indians, or Sitting Bull's History Lesson" },
  { id: 'addams', title: 'Addams Family, The' },
  { id: 'planes', title: 'Planes, Trains &amp; Automobiles' },
  { id: 'stop', title: 'Stop; Look; Listen' },
  { id: 'rivieres', title: "Les rivières pourpres II - Les anges de l'apocalypse" },
  { id: 'paris', title: 'Paris, Texas' },
  { id: 'heat', title: 'Heat' },
  { id: 'rambo3', title: 'Rambo III' },
  { id: 'dog1959', title: 'The Shaggy Dog' },
  { id: 'dog2006', title: 'The Shaggy Dog' },
];

const parse = (answer: string, target: string, mode: MatchMode = 'fuzzy', topK = 10, fuzzyThreshold = 0.85) =>
  parseRankedAnswer(answer, CANDIDATES, target, { mode, fuzzyThreshold, topK });

test('clean numbered list: every line matched, target rank is its line', () => {
  const p = parse('1. Heat\n2. Paris, Texas\n3. Sunset Blvd.\n4. Mr. Smith Goes to Washington', 'sunset', 'exact');
  assert.deepEqual(p.ranking, ['heat', 'paris', 'sunset', 'smith']);
  assert.equal(p.targetRank, 3);
  assert.deepEqual([p.lines, p.matched, p.hallucinated, p.duplicates, p.unparsable], [4, 4, 0, 0, false]);
});

test('titles containing ". ", "; ", " - ", ": " and ", " match whole, also with a reason after them', () => {
  const answer = [
    '1. Stop; Look; Listen',
    "2. Les rivières pourpres II - Les anges de l'apocalypse - a darker sequel",
    '3. Star Wars: The Clone Wars: animated fun',
    "4. Buffalo Bill and the Indians, or Sitting Bull's History Lesson (Altman's satire)",
    '5. Mr. Smith Goes to Washington - a classic',
  ].join('\n');
  const p = parse(answer, 'smith', 'normalised');
  assert.deepEqual(p.ranking, ['stop', 'rivieres', 'clone', 'buffalo', 'smith']);
  assert.equal(p.targetRank, 5);
  assert.equal(p.hallucinated, 0);
});

test('normalised: "The X" vs "X, The", entities, case, year, quotes and markdown', () => {
  const answer = [
    '1) The Addams Family (1991)',
    '2. Planes, Trains & Automobiles',
    '3. **heat** - Mann at his best',
    '4. "Rambo III" - more action',
    '**5. PARIS TEXAS**',
  ].join('\n');
  const p = parse(answer, 'planes', 'normalised');
  assert.deepEqual(p.ranking, ['addams', 'planes', 'heat', 'rambo3', 'paris']);
  assert.equal(p.targetRank, 2);
  assert.equal(p.hallucinated, 0);
});

test('exact mode is the authors\' scoring: only "N. " is stripped, then the title must be identical', () => {
  const answer = ['1) Heat', '2. heat', '**3. Heat**', '4. Heat (1995)', '5.    Heat   ', '6. Heat'].join('\n');
  const p = parse(answer, 'heat', 'exact');
  assert.equal(p.targetRank, 5);
  assert.deepEqual([p.lines, p.matched, p.hallucinated, p.duplicates], [6, 2, 4, 1]);
  // An entity-encoded candidate is not the decoded answer line in exact mode.
  assert.equal(parse('1. Planes, Trains & Automobiles', 'planes', 'exact').targetRank, null);
  assert.equal(parse('1. Planes, Trains &amp; Automobiles', 'planes', 'exact').targetRank, 1);
});

test('fuzzy: a typo matches above the threshold only, and only in fuzzy mode', () => {
  // "the adams family" -> "addams family" after normalising: lev("adams family", "addams family") = 1 over 13 chars.
  assert.equal(parse('1. Heat\n2. The Adams Family', 'addams', 'fuzzy').targetRank, 2);
  assert.equal(parse('1. Heat\n2. The Adams Family', 'addams', 'normalised').targetRank, null);
  assert.equal(parse('1. Heat\n2. The Adams Family', 'addams', 'fuzzy', 10, 0.95).targetRank, null);
  // A title far from every candidate stays a hallucination.
  const p = parse('1. Titanic\n2. Heat', 'heat', 'fuzzy');
  assert.deepEqual([p.targetRank, p.hallucinated, p.matched], [2, 1, 1]);
  assert.deepEqual(p.ranking, ['heat']);
});

test('duplicates keep their line and count once in the ranking', () => {
  const p = parse('1. Heat\n2. heat\n3. Heat (1995)\n4. Paris, Texas', 'paris', 'normalised');
  assert.deepEqual(p.ranking, ['heat', 'paris']);
  assert.equal(p.targetRank, 4);
  assert.deepEqual([p.lines, p.matched, p.duplicates, p.hallucinated], [4, 4, 2, 0]);
});

test('a title shared by two candidates counts for the target first, then the other one', () => {
  const p = parse('1. Heat\n2. The Shaggy Dog\n3. The Shaggy Dog\n4. The Shaggy Dog', 'dog2006', 'exact');
  assert.equal(p.targetRank, 2);
  assert.deepEqual(p.ranking, ['heat', 'dog2006', 'dog1959']);
  assert.equal(p.duplicates, 1);
});

test('the target counts only within the top K', () => {
  const lines = Array.from({ length: 10 }, (_, i) => `${i + 1}. Film ${i + 1}`);
  const answer = [...lines, '11. Heat'].join('\n');
  assert.equal(parse(answer, 'heat', 'exact', 10).targetRank, null);
  assert.equal(parse(answer, 'heat', 'exact', 11).targetRank, 11);
  assert.deepEqual(parse(answer, 'heat', 'exact', 10).ranking, ['heat']);
});

test('only the first line naming the target gives its rank', () => {
  assert.equal(parse('1. Paris, Texas\n2. Heat\n3. Heat', 'heat', 'exact').targetRank, 2);
});

test('no list at all is unparsable; an inline numbered list is not', () => {
  for (const answer of ['', 'Heat; Paris, Texas; Rambo III', 'I would pick Heat.']) {
    const p = parse(answer, 'heat');
    assert.equal(p.unparsable, true, answer);
    assert.deepEqual([p.targetRank, p.lines, p.ranking.length], [null, 0, 0]);
  }
  const p = parse('1. Rambo III 2. Heat 3. Paris, Texas', 'heat');
  assert.equal(p.unparsable, false);
  assert.equal(p.targetRank, 2);
});

test('bullets without numbers are ranked by their order', () => {
  const p = parse('Suggestions:\n- Rambo III\n- Heat', 'heat', 'normalised');
  assert.equal(p.targetRank, 2);
});

test('a longer view that matches after normalising beats a shorter one that matches exactly', () => {
  assert.equal(parse('1. Star Wars: the clone wars - animated', 'clone', 'normalised').targetRank, 1);
  assert.deepEqual(parse('1. Star Wars - the original\n2. Star Wars: The Clone Wars', 'clone', 'normalised').ranking, ['starwars', 'clone']);
});

test('fuzzy matching never reads a sequel as another part: titles differing in a number do not match', () => {
  // "Rambo II" is one edit from the candidate "Rambo III" but a different movie: a hallucination.
  const p = parse('1. Rambo II\n2. Rambo IV\n3. Rambo III', 'rambo3');
  assert.deepEqual([p.ranking, p.targetRank, p.hallucinated], [['rambo3'], 3, 2]);
  const godfather = parseRankedAnswer('1. The Godfather: Part III', [{ id: 'g2', title: 'Godfather: Part II, The' }], 'g2', { mode: 'fuzzy', fuzzyThreshold: 0.85, topK: 10 });
  assert.deepEqual([godfather.targetRank, godfather.hallucinated], [null, 1]);
  // A typo outside the number still matches; a garbled number does not (conservative).
  assert.equal(parse('1. Rambo IIl\n2. Ramboo III', 'rambo3').targetRank, 2);
});
