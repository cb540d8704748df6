import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractListItems } from '../../../src/core/parse/listItems';

const bodies = (answer: string): string[] | null => extractListItems(answer)?.map((i) => i.body) ?? null;

test('numbering styles', () => {
  assert.deepEqual(bodies('1. Heat\n2) Casino\n(3) Ran\n**4. Alien**\n### 5. Jaws\n10.Brazil'), ['Heat', 'Casino', 'Ran', 'Alien**', 'Jaws', 'Brazil']);
});

test('an intro line and bullet sub-points under numbered items are not list lines', () => {
  const answer = 'Here are my picks:\n\n1. Heat\n   - a tense thriller\n2. Casino\n   * more Scorsese\n\nEnjoy!';
  assert.deepEqual(bodies(answer), ['Heat', 'Casino']);
});

test('bullets are the list when nothing is numbered', () => {
  assert.deepEqual(bodies('Top picks:\n- Heat\n* Casino\n• Ran'), ['Heat', 'Casino', 'Ran']);
});

test('one line: numbered inline is a list, separators alone are not', () => {
  assert.deepEqual(bodies('1. Heat 2. Paris, Texas 3. Mr. Smith Goes to Washington'), ['Heat', 'Paris, Texas', 'Mr. Smith Goes to Washington']);
  assert.deepEqual(bodies('My list: 1. Heat; 2. Casino; 3. Ran'), ['Heat', 'Casino', 'Ran']);
  assert.equal(bodies('Heat; Paris, Texas; Casino'), null);
  assert.equal(bodies('Heat, Casino, Ran'), null);
  assert.equal(bodies('I cannot recommend anything.'), null);
  assert.equal(bodies(''), null);
});

test('numbers that do not run 1, 2, ... on one line are not split', () => {
  // "2001" and "12." are part of titles, not list numbers.
  assert.deepEqual(bodies('1. 2001: A Space Odyssey'), ['2001: A Space Odyssey']);
  assert.deepEqual(bodies('1. Ocean\'s 12. Great cast'), ['Ocean\'s 12. Great cast']);
});

test('raw keeps the line as written (for exact mode)', () => {
  assert.deepEqual(extractListItems('  1.  Heat  \n**2. Casino**')?.map((i) => i.raw), ['1.  Heat', '**2. Casino**']);
});

test('a reasoning model\'s <think> block is not the answer', () => {
  assert.deepEqual(bodies('<think>\n1. Casino\n2. Ran\nhmm, better:\n</think>\n1. Heat\n2. Alien'), ['Heat', 'Alien']);
  assert.equal(bodies('<think>\n1. Casino\n2. Ran (cut off'), null);
});
