import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultsFile } from '../../../src/protocol/results';
import { aggregateComparisons, aggregateGroups, pairedDifferences, type FinishedCell } from '../../../src/core/study/aggregate';
import { expandGrid } from '../../../src/core/study/grid';
import { parseStudy } from '../../../src/core/study/studyFile';

/** A results file with the given test-set means and per-session ranks per condition. */
function results(means: Record<string, number>, ranks: Record<string, Array<number | null>>): ResultsFile {
  const ids = Object.values(ranks)[0]!.map((_, i) => `test-${i}`);
  return {
    schemaVersion: 1,
    run: { id: 'r', createdAt: '', dataset: { name: 'd', hash: 'h' }, llm: { baseUrl: '', model: 'm' }, packageVersion: '0', config: {} },
    ks: [10],
    conditions: Object.entries(means).map(([condition, m]) => ({
      condition, n: ids.length, metrics: { 'NDCG@10': { mean: m, ciLow: m, ciHigh: m } },
      rates: { invalidOutput: 0, hallucination: 0, parseFailure: 0, duplicates: 0 }, usage: { calls: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, cost: 0 },
    })),
    comparisons: [],
    hints: [],
    sessions: ids.map((sessionId, i) => ({ sessionId, targetTitle: '', byCondition: Object.fromEntries(Object.entries(ranks).map(([c, r]) => [c, { rank: r[i]! }])) })),
  };
}

const study = parseStudy(JSON.stringify({
  name: 's', base: {}, axes: { 'reflection.targetHints': [5] },
  seeds: { vary: ['agent.seed'], values: [1, 2] },
  metrics: ['NDCG@10'],
  comparisons: [{ a: { condition: 'agent' }, b: { condition: 'no-hint' } }],
}), '/s.study.json');
const cells = expandGrid(study);

test('groups: mean ± sd over the seeds of the cells\' test-set means', () => {
  const finished: FinishedCell[] = [
    { cell: cells[0]!, id: 'c1', results: results({ agent: 0.3, 'no-hint': 0.2 }, { agent: [1], 'no-hint': [1] }) },
    { cell: cells[1]!, id: 'c2', results: results({ agent: 0.5, 'no-hint': 0.2 }, { agent: [1], 'no-hint': [1] }) },
  ];
  const [g] = aggregateGroups(cells, finished, ['agent', 'no-hint'], ['NDCG@10']);
  const e = g!.metrics.agent!['NDCG@10']!;
  assert.ok(Math.abs(e.mean - 0.4) < 1e-12);
  assert.ok(Math.abs(e.sd! - Math.sqrt(0.02)) < 1e-12, 'sd of 0.3 and 0.5 = sqrt(((-0.1)^2 + 0.1^2) / 1)');
  assert.equal(g!.metrics['no-hint']!['NDCG@10']!.sd, 0);
  assert.deepEqual(g!.cells, ['c1', 'c2']);
});

test('comparisons: per-session differences paired within each seed, averaged per session over the seeds, bootstrapped over sessions', () => {
  // NDCG@10 of rank 1 = 1, of rank 3 = 1/log2(4) = 0.5, absent = 0.
  // seed 1: agent [1, null], no-hint [3, 1] -> differences [1 - 0.5, 0 - 1] = [0.5, -1]
  // seed 2: agent [3, 3],   no-hint [null, 3] -> differences [0.5, 0]
  // per session over the seeds: s0 (0.5 + 0.5) / 2 = 0.5, s1 (-1 + 0) / 2 = -0.5: mean 0, n 2 sessions
  const finished: FinishedCell[] = [
    { cell: cells[0]!, id: 'c1', results: results({ agent: 0, 'no-hint': 0 }, { agent: [1, null], 'no-hint': [3, 1] }) },
    { cell: cells[1]!, id: 'c2', results: results({ agent: 0, 'no-hint': 0 }, { agent: [3, 3], 'no-hint': [null, 3] }) },
  ];
  assert.deepEqual(pairedDifferences(finished[0]!.results, finished[0]!.results, { condition: 'agent' }, { condition: 'no-hint' }, 'NDCG@10'), [0.5, -1]);
  const [c] = aggregateComparisons(study, cells, finished, 200);
  assert.equal(c!.name, 'agent vs no-hint');
  assert.equal(c!.n, 2, 'the session is the unit: two sessions, not four pooled pairs');
  assert.equal(c!.seeds, 2);
  assert.ok(Math.abs(c!.diff) < 1e-12);
  // Resampling two per-session means (0.5 and -0.5): every bootstrap mean is -0.5, 0 or 0.5.
  assert.ok(c!.ciLow >= -0.5 && c!.ciHigh <= 0.5 && c!.ciLow < 0 && c!.ciHigh > 0, `CI [${c!.ciLow}, ${c!.ciHigh}]`);
});
