import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupSize, recentRate, sessionsBeforeRate, sessionsToTarget } from '../../../src/core/reflect/sessionsNeeded';
import type { ReflectionCheckpoint } from '../../../src/core/reflect/checkpoint';
import type { SessionRecord } from '../../../src/core/reflect/types';

/** A checkpoint whose sessions accepted these many hints each, in order. */
function checkpoint(hintsPerSession: number[]): ReflectionCheckpoint {
  const sessions: SessionRecord[] = hintsPerSession.map((n, index) => ({
    index, sessionId: `s${index}`, baseRank: null, error: true,
    candidates: Array.from({ length: n }, (_, k) => ({ id: `h${index}-${k}`, text: `hint ${index}.${k}`, verdict: 'accepted' as const })),
  }));
  const accepted = sessions.flatMap((s) => s.candidates.map((c) => ({ id: c.id, text: c.text, session: s.sessionId, createdAt: '', rankBefore: null, rankAfter: 1, saved: true })));
  return { version: 1, key: 'k', dataset: 'd', kbPath: 'kb.json', sessions, accepted, usage: { calls: 0, cacheHits: 0, tokens: 0, cost: 0 }, updatedAt: '' };
}

const quickThenDry = checkpoint([...Array<number>(10).fill(1), ...Array<number>(40).fill(0)]);

test('recentRate: the sessions back to where the last eight hints began, the dry stretch since included', () => {
  // 40 sessions without a hint and the 8 before them with one each.
  assert.equal(recentRate(quickThenDry), 8 / 48);
  // Sessions a replay went through ahead count first: 2 hints in 6 sessions, then 6 more back.
  assert.equal(recentRate(quickThenDry, { sessions: 6, accepted: 2 }), 8 / (6 + 40 + 6));
  // Fewer than ten sessions: no rate.
  assert.equal(recentRate(checkpoint([2, 2, 1])), undefined);
  // Fewer than eight hints in the whole run: every session counts.
  assert.equal(recentRate(checkpoint([1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])), 2 / 12);
});

test('sessionsToTarget: online it takes the lower of the run\'s rate and the recent one', () => {
  // The run's rate 10 / 50; 4 hints missing at half again: 30 sessions. The recent 8 / 48: 36.
  assert.equal(sessionsToTarget(quickThenDry, 4), 30);
  assert.equal(sessionsToTarget(quickThenDry, 4, undefined, 'lower'), 36);
  // Hints coming faster lately: the run's own rate stands.
  const dryThenQuick = checkpoint([...Array<number>(40).fill(0), ...Array<number>(10).fill(1)]);
  assert.equal(sessionsToTarget(dryThenQuick, 4, undefined, 'lower'), 30);
  // No hint for a long stretch: the rate's floor of 0.02 bounds it.
  const dry = checkpoint([1, ...Array<number>(99).fill(0)]);
  assert.equal(sessionsToTarget(dry, 2, undefined, 'lower'), 150);
  assert.equal(sessionsToTarget(checkpoint([1, 1]), 4, undefined, 'lower'), undefined);
});

test('groupSize (rounds mode) keeps the run\'s rate, at least 16 sessions, at most the limit', () => {
  assert.equal(groupSize(quickThenDry, 4, 300), 30);
  assert.equal(groupSize(checkpoint(Array<number>(20).fill(2)), 1, 300), 16);
  assert.equal(groupSize(quickThenDry, 20, 100), 100);
  // Before ten sessions: one hint per six sessions, with the margin.
  assert.equal(groupSize(checkpoint([]), 20, 1000), 180);
});

test('sessionsBeforeRate: before any rate, what the missing hints need at one hint in three sessions, with the margin', () => {
  assert.equal(sessionsBeforeRate(20), 90);
  assert.equal(sessionsBeforeRate(5), 23);
  // At least one hint's worth, however few are missing.
  assert.equal(sessionsBeforeRate(0), 5);
});
