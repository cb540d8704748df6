import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldSplit, kfoldAssignment, pickKfoldStep } from '../../../src/core/agent/selection';

test('kfold: every training session is held out exactly once, folds differ in size by at most one, seeded', () => {
  const a = kfoldAssignment(23, 5, 1);
  const sizes = [0, 1, 2, 3, 4].map((k) => a.filter((f) => f === k).length);
  assert.deepEqual(sizes.slice().sort(), [4, 4, 5, 5, 5]);
  assert.deepEqual(kfoldAssignment(23, 5, 1), a, 'the same seed deals the same folds');
  assert.notDeepEqual(kfoldAssignment(23, 5, 2), a);
  const sessions = Array.from({ length: 23 }, (_, i) => `s${i}`);
  const heldOut = [0, 1, 2, 3, 4].flatMap((index) => {
    const { train, heldOut: h } = foldSplit(sessions, { index, of: 5 }, 1);
    assert.equal(train.length + h.length, 23);
    assert.ok(h.every((s) => !train.includes(s)));
    return h;
  });
  assert.deepEqual(heldOut.slice().sort(), sessions.slice().sort());
  assert.throws(() => kfoldAssignment(3, 5, 1), /3 training sessions cannot fill 5 folds/);
  assert.throws(() => foldSplit(sessions, { index: 5, of: 5 }, 1), /fold 5 is not in 0..4/);
});

test('kfold pick: the step best on average over folds (hand-computed), earliest on a tie, only steps every fold has', () => {
  const sel = pickKfoldStep([
    [{ step: 64, reward: 0.01 }, { step: 128, reward: 0.05 }, { step: 192, reward: 0.02 }, { step: 256, reward: 0.9 }],
    [{ step: 64, reward: 0.03 }, { step: 128, reward: 0.01 }, { step: 192, reward: 0.06 }],
    [{ step: 64, reward: 0.02 }, { step: 128, reward: 0.03 }, { step: 192, reward: 0.04 }],
  ]);
  // means: 64 -> 0.02, 128 -> 0.03, 192 -> 0.04; 256 is missing from two folds
  assert.deepEqual(sel.steps, [64, 128, 192]);
  assert.equal(sel.chosenStep, 192);
  assert.ok(Math.abs(sel.chosenMean - 0.04) < 1e-12);
  assert.equal(sel.perFold.length, 3);
  const tie = pickKfoldStep([[{ step: 1, reward: 0.5 }, { step: 2, reward: 0.5 }], [{ step: 1, reward: 0.5 }, { step: 2, reward: 0.5 }]]);
  assert.equal(tie.chosenStep, 1);
  assert.throws(() => pickKfoldStep([[{ step: 1, reward: 0 }]]), /need at least 2/);
});
