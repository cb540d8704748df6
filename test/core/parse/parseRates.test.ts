import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countParsed, parseRates } from '../../../src/core/parse/parseRates';
import type { ParsedAnswer } from '../../../src/core/parse/rankedAnswer';

const answer = (lines: number, hallucinated: number, duplicates: number, unparsable = false): ParsedAnswer => ({
  ranking: [],
  targetRank: null,
  lines,
  matched: lines - hallucinated,
  hallucinated,
  duplicates,
  unparsable,
});

test('counts and shares over answers, by hand', () => {
  const c = countParsed([answer(10, 2, 1), answer(10, 0, 0), answer(0, 0, 0, true), answer(5, 5, 0)]);
  assert.deepEqual(c, { answers: 4, lines: 25, matched: 18, hallucinated: 7, duplicates: 1, unparsable: 1, withHallucination: 2 });
  // 7/25 hallucinated lines, 1/25 duplicates, 1/4 unparsable, 2/4 answers with a hallucination
  assert.deepEqual(parseRates(c), { hallucinatedLines: 0.28, duplicateLines: 0.04, unparsable: 0.25, withHallucination: 0.5 });
});

test('no answers or no lines give 0, not NaN', () => {
  assert.deepEqual(parseRates(countParsed([])), { hallucinatedLines: 0, duplicateLines: 0, unparsable: 0, withHallucination: 0 });
  assert.equal(parseRates(countParsed([answer(0, 0, 0, true)])).unparsable, 1);
});
