import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callsPerTestSession, measuredTokens, pilotFromResults, pilotFromRewards, planSessions } from '../../../src/core/metrics/plan';
import type { ResultsFile } from '../../../src/protocol/results';

const usage = (calls: number, promptTokens: number, completionTokens: number) => ({ calls, cacheHits: 0, promptTokens, completionTokens, cost: 0 });
// Four sessions; agent ranks the target 1, 1, absent, 3; no-hint absent, 1, absent, absent.
const results = {
  sessions: [
    { sessionId: 's1', targetTitle: '', byCondition: { agent: { rank: 1 }, 'no-hint': { rank: null } } },
    { sessionId: 's2', targetTitle: '', byCondition: { agent: { rank: 1 }, 'no-hint': { rank: 1 } } },
    { sessionId: 's3', targetTitle: '', byCondition: { agent: { rank: null }, 'no-hint': { rank: null } } },
    { sessionId: 's4', targetTitle: '', byCondition: { agent: { rank: 3 }, 'no-hint': { rank: null } } },
  ],
  conditions: [
    { condition: 'no-hint', usage: usage(10, 4000, 500) },
    { condition: 'agent', usage: usage(10, 4400, 500) },
    { condition: 'sknn', usage: usage(0, 0, 0) },
  ],
} as unknown as ResultsFile;

test('pilot from a results file: paired NDCG@10 differences, hand-computed', () => {
  // d = 1, 0, 0, 0.5 (1/log2(4)): mean 0.375; deviations 0.625, -0.375, -0.375, 0.125 -> SS 0.390625 + 2 * 0.140625 + 0.015625 = 0.6875
  const [p] = pilotFromResults(results, [{ a: 'agent', b: 'no-hint' }, { a: 'agent', b: 'oracle' }], 'NDCG@10');
  assert.equal(p!.n, 4);
  assert.ok(Math.abs(p!.diff - 0.375) < 1e-12);
  assert.ok(Math.abs(p!.sd - Math.sqrt(0.6875 / 3)) < 1e-12);
  // the first two sessions only: d = 1, 0 -> SD sqrt(0.5)
  assert.ok(Math.abs(pilotFromResults(results, [{ a: 'agent', b: 'no-hint' }], 'NDCG@10', 2)[0]!.sd - Math.sqrt(0.5)) < 1e-12);
});

test('plan: sessions from the SD, calls per session with and without the oracle, tokens and cost', () => {
  assert.equal(callsPerTestSession(['no-hint', 'random-hint', 'best-fixed-hint', 'agent', 'popularity', 'sknn'], 20, false), 4);
  assert.equal(callsPerTestSession(['no-hint', 'agent', 'oracle'], 20, true), 21);
  const tokens = measuredTokens(results)!;
  // (4000 + 4400) / 20 calls = 420 prompt, 1000 / 20 = 50 completion
  assert.deepEqual(tokens, { promptTokens: 420, completionTokens: 50, source: 'measured' });
  const [row] = planSessions({ sd: 0.27, effects: [0.02], conditions: ['no-hint', 'agent'], enabledHints: 20, tokens, prices: { inputPerMTok: 0.15, outputPerMTok: 0.6 } });
  // n = ceil((2.801585 * 0.27 / 0.02)^2) = 1431; calls 1431 * 2 = 2862; tokens 2862 * 470 = 1,345,140;
  // cost 2862 * (420 * 0.15 + 50 * 0.6) / 1e6 = 2862 * 93 / 1e6 = 0.266166
  assert.equal(row!.sessions, 1431);
  assert.deepEqual([row!.withoutOracle.calls, row!.withoutOracle.tokens], [2862, 1345140]);
  assert.ok(Math.abs(row!.withoutOracle.cost! - 0.266166) < 1e-9);
  assert.equal(row!.withOracle.calls, 1431 * 21);
  assert.equal(measuredTokens({ conditions: [{ condition: 'no-hint', usage: usage(0, 0, 0) }] } as unknown as ResultsFile), undefined);
});

test('pilot from a reward table: pooled SD of one hint per session, and the best hint alone', () => {
  // 3 sessions x 2 hints. Pooled: 0.5, 0, 0, 0, 0.5, 0 -> mean 1/6, SS 2 * (1/3)^2 + 4 * (1/6)^2 = 1/3, var 1/15.
  // Best hint (mean): h1 (0.5 + 0 + 0.5) / 3 = 1/3 > h2 0 -> SD of [0.5, 0, 0.5] = sqrt((2 * (1/6)^2 + (1/3)^2) / 2) = sqrt(1/12).
  const [pooled, best] = pilotFromRewards([[0.5, 0], [0, 0], [0.5, 0]], ['h1', 'h2'], 'NDCG@10');
  assert.ok(Math.abs(pooled!.diff - 1 / 6) < 1e-12 && Math.abs(pooled!.sd - Math.sqrt(1 / 15)) < 1e-12);
  assert.equal(best!.a, 'best hint h1');
  assert.ok(Math.abs(best!.sd - Math.sqrt(1 / 12)) < 1e-12, String(best!.sd));
  assert.deepEqual(pilotFromRewards([[1]], ['h1'], 'NDCG@10'), []);
});
