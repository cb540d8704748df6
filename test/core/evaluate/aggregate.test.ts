import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerRates, comparisonMetrics, metricSeries, metricValue, pairedComparisons, statisticsInfo, summariseCondition } from '../../../src/core/evaluate/aggregate';
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

test('paired comparisons: agent against every other condition, every other condition against no-hint', () => {
  const agent = run('agent', [1, 1, 1, 1, 1, 1, 1, 1]);
  const base = run('no-hint', [null, null, null, null, null, null, null, null]);
  const same = run('sknn', [1, 1, 1, 1, 1, 1, 1, 1]);
  const cmp = pairedComparisons([base, agent, same], { ks: [1, 5, 10], resamples: 2000, seed: 3 });
  assert.deepEqual(
    cmp.map((c) => `${c.a}-${c.b}-${c.metric}`),
    ['agent-no-hint-NDCG@10', 'agent-no-hint-HR@10', 'agent-sknn-NDCG@10', 'agent-sknn-HR@10', 'sknn-no-hint-NDCG@10', 'sknn-no-hint-HR@10'],
  );
  const vsBase = cmp[0]!;
  assert.equal(vsBase.diff, 1);
  assert.equal(vsBase.n, 8);
  // every difference is 1: the paired interval is [1, 1] and the SD 0
  assert.deepEqual([vsBase.ciLow, vsBase.ciHigh, vsBase.sd], [1, 1, 0]);
  // all 8 differences equal 1: only the 2 all-same-sign flips of 2^8 are as extreme -> p ~ 2/256
  assert.ok(vsBase.pValue < 0.02, String(vsBase.pValue));
  assert.equal(cmp[2]!.diff, 0);
  assert.equal(cmp[2]!.pValue, 1);
  // Only agent vs no-hint on NDCG@10 is in the (default) primary family here: a family of one.
  assert.deepEqual(cmp.map((c) => c.family), ['primary', 'secondary', 'secondary', 'secondary', 'secondary', 'secondary']);
  assert.equal(vsBase.pHolm, vsBase.pValue);
  assert.ok(cmp.slice(1).every((c) => c.pHolm === undefined));
});

test('Holm family: the three primary comparisons only, adjusted among themselves', () => {
  const n = 12;
  const ranks = (f: (i: number) => number | null) => Array.from({ length: n }, (_, i) => f(i));
  const runs = [
    run('no-hint', ranks(() => null)),
    run('random-hint', ranks((i) => (i < 3 ? 1 : null))),
    run('best-fixed-hint', ranks((i) => (i < 6 ? 1 : null))),
    run('agent', ranks((i) => (i < 9 ? 1 : null))),
    run('oracle', ranks(() => 1)),
    run('popularity', ranks((i) => (i % 2 ? 1 : null))),
    run('sknn', ranks((i) => (i % 3 ? 2 : null))),
  ];
  const opts = { ks: [1, 5, 10], resamples: 500, permutations: 2000, seed: 5 };
  const cmp = pairedComparisons(runs, opts);
  // 6 agent pairs + 5 "vs no-hint" pairs (agent's own is counted once), 2 metrics each
  assert.equal(cmp.length, (6 + 5) * 2);
  const primary = cmp.filter((c) => c.family === 'primary');
  assert.deepEqual(primary.map((c) => `${c.a} vs ${c.b} ${c.metric}`), ['agent vs no-hint NDCG@10', 'agent vs random-hint NDCG@10', 'agent vs best-fixed-hint NDCG@10']);
  const raw = primary.map((c) => c.pValue);
  // Holm with m = 3 (not 22): the smallest p is multiplied by 3
  const smallest = Math.min(...raw);
  assert.ok(Math.abs(primary.find((c) => c.pValue === smallest)!.pHolm! - Math.min(1, 3 * smallest)) < 1e-12);
  assert.ok(cmp.filter((c) => c.family === 'secondary').every((c) => c.pHolm === undefined));
  assert.ok(cmp.every((c) => c.permutations === 2000));
  // The smallest attainable p is 1 / (B + 1): agent vs no-hint (9 of 12 differences of 1)
  assert.ok(primary[0]!.pValue >= 1 / 2001);
  const st = statisticsInfo(cmp, opts);
  assert.deepEqual(st.primary, ['agent vs no-hint', 'agent vs random-hint', 'agent vs best-fixed-hint']);
  assert.equal(st.mde.length, 3);
  // MDE = 2.801585 * sd / sqrt(n)
  assert.ok(Math.abs(st.mde[0]!.mde - (2.801585 * primary[0]!.sd!) / Math.sqrt(n)) < 1e-5);
  // A declared family of one other pair, on HR@10
  const custom = pairedComparisons(runs, { ...opts, primary: ['sknn:no-hint'], primaryMetric: 'HR@10' });
  assert.deepEqual(custom.filter((c) => c.family === 'primary').map((c) => `${c.a}-${c.b}-${c.metric}`), ['sknn-no-hint-HR@10']);
  assert.throws(() => pairedComparisons(runs, { ...opts, primary: ['agent'] }), /evaluation\.primary|"a:b"/);
});

test('random-hint as an expectation: a session value is the mean over the ranks under each hint', () => {
  // s1: ranks 1 and absent under the two hints -> NDCG@10 (1 + 0) / 2 = 0.5; s2: 3 and 3 -> 0.5
  const r = run('random-hint', [1, 3], (i) => ({ expectedOver: [[1, null], [3, 3]][i] }));
  assert.deepEqual(metricSeries(r.records, 'NDCG@10'), [0.5, 0.5]);
  assert.deepEqual(metricSeries(r.records, 'HR@1'), [0.5, 0]);
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
