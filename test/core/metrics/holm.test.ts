import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holmAdjust } from '../../../src/core/metrics/holm';

test('Holm adjustment, checked by hand', () => {
  // sorted 0.01, 0.03, 0.04 -> 3*0.01, 2*0.03, 1*0.04 = 0.03, 0.06, 0.04 -> running max 0.03, 0.06, 0.06
  const adj = holmAdjust([0.01, 0.04, 0.03]);
  [0.03, 0.06, 0.06].forEach((v, i) => assert.ok(Math.abs(adj[i]! - v) < 1e-12, `${adj[i]} vs ${v}`));
  assert.deepEqual(holmAdjust([0.5, 0.9]), [1, 1], 'capped at 1');
  assert.deepEqual(holmAdjust([0.02]), [0.02], 'one test: unchanged');
  assert.deepEqual(holmAdjust([]), []);
});
