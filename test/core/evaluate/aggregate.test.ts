import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerRates, comparisonMetrics, metricValue, pairedComparisons, summariseCondition } from '../../../src/core/evaluate/aggregate';
import { hintStats, rewardOf, sessionOutcomes } from '../../../src/core/evaluate/analytics';
import { usageDiff, type ConditionRun, type PredictionRecord } from '../../../src/core/evaluate/records';
import { emptyUsage } from '../../../src/core/llm/types';
import { loadEvalFixture } from './fixtures';

const rec = (sessionId: string, condition: string, targetRank: number | null, extra: Partial<PredictionRecord> = {}): PredictionRecord => ({
  sessionId,
  condition,
  target: 'x',
  ranking: [],
  targetRank,
  ...extra,
});
const run = (condition: string, ranks: (number | null)[], extra: (i: number) => Partial<PredictionRecord> = () => ({})): ConditionRun => ({
  condition,
  records: ranks.map((r, i) => rec(`s${i + 1}`, condition, r, extra(i))),
  usage: { calls: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, cost: 0 },
});
const close = (a: number, b: number, eps = 1e-12): void => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);

test('metric values per session by name', () => {
  assert.equal(metricValue('HR@5', 5), 1);
  assert.equal(metricValue('HR@5', 6), 0);
  assert.equal(metricValue('NDCG@10', 3), 0.5); // 1/log2(4)
  assert.equal(metricValue('MRR', 4), 0.25);
  assert.equal(metricValue('MRR', null), 0);
  assert.throws(() => metricValue('P@5', 1), /unknown metric/);
});

test('condition summary: hand-computed means, CIs bracket the mean, usage passed through', () => {
  // ranks 1, 3, absent: HR@1 1/3, HR@5 2/3, NDCG@5 (1 + 0.5 + 0)/3 = 0.5, MRR (1 + 1/3)/3 = 4/9
  const r = run('popularity', [1, 3, null]);
  r.usage.calls = 7;
  const s = summariseCondition(r, { ks: [1, 5, 10], resamples: 200, seed: 1 });
  assert.equal(s.n, 3);
  assert.deepEqual(Object.keys(s.metrics), ['HR@1', 'HR@5', 'HR@10', 'NDCG@1', 'NDCG@5', 'NDCG@10', 'MRR']);
  close(s.metrics['HR@1']!.mean, 1 / 3);
  close(s.metrics['HR@5']!.mean, 2 / 3);
  close(s.metrics['NDCG@5']!.mean, 0.5);
  close(s.metrics['MRR']!.mean, 4 / 9);
  for (const e of Object.values(s.metrics)) assert.ok(e.ciLow <= e.mean && e.mean <= e.ciHigh);
  assert.equal(s.usage.calls, 7);
  assert.deepEqual(s.rates, { invalidOutput: 0, hallucination: 0, parseFailure: 0, duplicates: 0 });
  assert.equal(s.hintId, undefined);
  // deterministic given the seed
  assert.deepEqual(summariseCondition(r, { ks: [1, 5, 10], resamples: 200, seed: 1 }), s);
  // Every metric is bootstrapped on the same resamples: HR@1 and NDCG@1 agree per session, so
  // their intervals are identical.
  assert.deepEqual(s.metrics['NDCG@1'], s.metrics['HR@1']);
});

test('answer rates are shares of answers, each answer counted once for invalidOutput', () => {
  const st = (o: object) => ({ stats: { lines: 10, matched: 10, hallucinated: 0, duplicates: 0, unparsable: false, ...o } });
  const records = [
    rec('a', 'no-hint', 1, st({})),
    rec('b', 'no-hint', 1, st({ hallucinated: 2, duplicates: 1 })),
    rec('c', 'no-hint', null, st({ unparsable: true, lines: 0, matched: 0 })),
    rec('d', 'no-hint', null, st({ duplicates: 3 })),
  ];
  assert.deepEqual(answerRates(records), { invalidOutput: 0.75, hallucination: 0.25, parseFailure: 0.25, duplicates: 0.5 });
  assert.deepEqual(answerRates([rec('a', 'sknn', 1)]), { invalidOutput: 0, hallucination: 0, parseFailure: 0, duplicates: 0 });
});

test('paired tests: agent against every other condition on NDCG@10 and HR@10', () => {
  const agent = run('agent', [1, 1, 1, 1, 1, 1, 1, 1]);
  const base = run('no-hint', [null, null, null, null, null, null, null, null]);
  const same = run('sknn', [1, 1, 1, 1, 1, 1, 1, 1]);
  const cmp = pairedComparisons([base, agent, same], { ks: [1, 5, 10], resamples: 2000, seed: 3 });
  assert.deepEqual(
    cmp.map((c) => `${c.a}-${c.b}-${c.metric}`),
    ['agent-no-hint-NDCG@10', 'agent-no-hint-HR@10', 'agent-sknn-NDCG@10', 'agent-sknn-HR@10'],
  );
  const vsBase = cmp[0]!;
  assert.equal(vsBase.diff, 1);
  assert.equal(vsBase.n, 8);
  // all 8 differences equal 1: only the 2 all-same-sign flips of 2^8 are as extreme -> p ~ 2/256
  assert.ok(vsBase.pValue < 0.02, String(vsBase.pValue));
  assert.equal(cmp[2]!.diff, 0);
  assert.equal(cmp[2]!.pValue, 1);
  // Holm over the 4 tests: the smallest p is multiplied by 4, and nothing exceeds 1.
  const smallest = Math.min(...cmp.map((c) => c.pValue));
  const first = cmp.find((c) => c.pValue === smallest)!;
  assert.ok(Math.abs(first.pHolm! - Math.min(1, 4 * smallest)) < 1e-12, `${first.pHolm} vs 4 x ${smallest}`);
  assert.ok(cmp.every((c) => c.pHolm! >= c.pValue && c.pHolm! <= 1));
});

test('paired tests without an agent: each condition against no-hint; nothing to anchor gives none', () => {
  const cmp = pairedComparisons([run('no-hint', [1, null]), run('popularity', [null, 2])], { ks: [5], resamples: 100, seed: 3 });
  assert.deepEqual(comparisonMetrics([5]), ['NDCG@5', 'HR@5']);
  assert.deepEqual(cmp.map((c) => `${c.a}-${c.b}-${c.metric}`), ['popularity-no-hint-NDCG@5', 'popularity-no-hint-HR@5']);
  // popularity: 0 and 1/log2(3); no-hint: 1 and 0 -> diff = (0.6309 - 1)/2
  assert.ok(Math.abs(cmp[0]!.diff - (1 / Math.log2(3) - 1) / 2) < 1e-12);
  assert.deepEqual(pairedComparisons([run('popularity', [1]), run('sknn', [1])], { ks: [10], resamples: 10, seed: 1 }), []);
});

test('hint analytics: picks and mean reward where picked (reward = NDCG@10 with - without)', () => {
  const actions = [{ id: 'none', text: '' }, { id: 'h-a', text: 'A' }, { id: 'h-b', text: 'B' }];
  const agent = run('agent', [1, 3, null], (i) => ({ hintId: ['h-a', 'h-a', 'none'][i] }));
  const base = run('no-hint', [3, 3, 2]);
  // s1: h-a, 1 vs 3 -> 1 - 0.5 = 0.5; s2: h-a, 3 vs 3 -> 0; s3: none, absent vs 2 -> -1/log2(3)
  const stats = hintStats(actions, 10, agent.records, base.records);
  assert.deepEqual(stats.map((h) => [h.id, h.picks]), [['none', 1], ['h-a', 2], ['h-b', 0]]);
  close(stats[1]!.meanReward!, 0.25);
  close(stats[0]!.meanReward!, -1 / Math.log2(3));
  assert.equal(stats[2]!.meanReward, null);
  assert.equal(rewardOf(2, 2, 10), 0);
  // without base answers there is no reward to report
  assert.equal(hintStats(actions, 10, agent.records)[1]!.meanReward, null);
});

test('session outcomes list each condition with rank and hint', () => {
  const ds = loadEvalFixture();
  const rows = sessionOutcomes(ds, ds.splits.test.slice(0, 2), [run('agent', [2, null], () => ({ hintId: 'h-a' })), run('sknn', [1, 4])]);
  assert.deepEqual(rows[0], { sessionId: 's1', targetTitle: 'Echo', byCondition: { agent: { rank: 2, hintId: 'h-a' }, sknn: { rank: 1 } } });
  assert.equal(rows[1]!.byCondition.agent!.rank, null);
});

test('usage difference of two client readings', () => {
  const before = { ...emptyUsage(), calls: 3, cacheHits: 1, promptTokens: 100, completionTokens: 10, cost: 0.1 };
  const after = { ...before, calls: 5, cacheHits: 4, promptTokens: 250, completionTokens: 30, cost: 0.3 };
  assert.deepEqual(usageDiff(after, before), { calls: 2, cacheHits: 3, promptTokens: 150, completionTokens: 20, cost: 0.2 });
});
