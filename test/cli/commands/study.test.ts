import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSeedList } from '../../../src/cli/commands/study';

test('--seeds: a range or a list; anything else is refused', () => {
  assert.deepEqual(parseSeedList('1..5'), [1, 2, 3, 4, 5]);
  assert.deepEqual(parseSeedList('3..3'), [3]);
  assert.deepEqual(parseSeedList('1, 2,7'), [1, 2, 7]);
  assert.throws(() => parseSeedList('5..1'), /ends before it starts/);
  assert.throws(() => parseSeedList('1,1'), /repeated/);
  assert.throws(() => parseSeedList('a-b'), /expects a range "1..5" or a list/);
});
