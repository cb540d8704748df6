import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hitAtK, ndcgAtK, reciprocalRank, metricNames, metricFn, computeMetrics, rankOrBeyond } from '../../../src/core/metrics';

const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test('HR@K: 1 inside the cut-off, 0 outside or absent', () => {
  assert.equal(hitAtK(1, 1), 1);
  assert.equal(hitAtK(5, 5), 1);
  assert.equal(hitAtK(6, 5), 0);
  assert.equal(hitAtK(null, 10), 0);
});

test('NDCG@K = 1/log2(rank+1) inside the cut-off', () => {
  assert.equal(ndcgAtK(1, 10), 1); // 1/log2(2) = 1
  assert.equal(ndcgAtK(3, 10), 0.5); // 1/log2(4) = 1/2
  assert.equal(ndcgAtK(7, 10), 1 / 3); // 1/log2(8) = 1/3
  close(ndcgAtK(2, 10), 1 / Math.log2(3)); // 0.6309...
  assert.equal(ndcgAtK(7, 5), 0);
  assert.equal(ndcgAtK(null, 10), 0);
});

test('reciprocal rank', () => {
  assert.equal(reciprocalRank(1), 1);
  assert.equal(reciprocalRank(4), 0.25);
  assert.equal(reciprocalRank(null), 0);
});

test('metric names and registry', () => {
  assert.deepEqual(metricNames([1, 5, 10]), ['HR@1', 'HR@5', 'HR@10', 'NDCG@1', 'NDCG@5', 'NDCG@10', 'MRR']);
  assert.equal(metricFn('NDCG@10')(3), 0.5);
  assert.equal(metricFn('MRR')(2), 0.5);
  assert.throws(() => metricFn('MAP@10'), /unknown metric "MAP@10"/);
  assert.throws(() => metricFn('HR'), /unknown metric "HR"/);
  assert.throws(() => metricFn('MRR@5'), /unknown metric/);
});

test('computeMetrics: means over sessions, by hand', () => {
  // ranks 1, 3, 7, absent:
  //   HR@1 = (1+0+0+0)/4 = 0.25; HR@5 = (1+1+0+0)/4 = 0.5; HR@10 = 3/4
  //   NDCG@5 = (1 + 1/2)/4 = 0.375; NDCG@10 = (1 + 1/2 + 1/3)/4 = 11/24
  //   MRR = (1 + 1/3 + 1/7)/4 = 31/84
  const m = computeMetrics([1, 3, 7, null], [1, 5, 10]);
  assert.equal(m['HR@1'], 0.25);
  assert.equal(m['HR@5'], 0.5);
  assert.equal(m['HR@10'], 0.75);
  assert.equal(m['NDCG@1'], 0.25);
  close(m['NDCG@5']!, 0.375);
  close(m['NDCG@10']!, 11 / 24);
  close(m['MRR']!, 31 / 84);
  assert.ok(Number.isNaN(computeMetrics([], [10])['HR@10']));
});

test('rankOrBeyond: a target missing from the top k counts as k + 1', () => {
  assert.deepEqual([rankOrBeyond(3, 10), rankOrBeyond(null, 10), rankOrBeyond(12, 10)], [3, 11, 11]);
});
