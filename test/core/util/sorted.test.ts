import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lowerBound } from '../../../src/core/util/sorted';

test('lowerBound: the first index not below the value, past the end when all are below', () => {
  const xs = [1, 3, 3, 7];
  assert.equal(lowerBound(xs, 0), 0);
  assert.equal(lowerBound(xs, 3), 1);
  assert.equal(lowerBound(xs, 4), 3);
  assert.equal(lowerBound(xs, 8), 4);
  assert.equal(lowerBound([], 5), 0);
});
