import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PopularityRanker, popularityCounts, rankByPopularity } from '../../../src/core/baselines/popularity';
import { SknnRanker } from '../../../src/core/baselines/sknn';
import { compareIds } from '../../../src/core/baselines/order';
import { loadEvalFixture } from '../evaluate/fixtures';

const ds = loadEvalFixture();
const [s1, s2, s3] = ds.splits.test as [typeof ds.splits.test[0], typeof ds.splits.test[0], typeof ds.splits.test[0]];

test('popularity counts every history item and target of the training split', () => {
  // t1: 1 2 3 -> 4; t2: 2 3 -> 5; t3: 1 6 -> 4
  const c = popularityCounts(ds.splits.train);
  assert.deepEqual(Object.fromEntries([...c].sort()), { '1': 2, '2': 2, '3': 2, '4': 2, '5': 1, '6': 1 });
  assert.equal(c.get('7'), undefined);
});

test('popularity ranks candidates by count, ties by id', async () => {
  const r = new PopularityRanker(10);
  r.fit(ds.splits.train);
  // s1 candidates 7 5 4 6 1 8: counts 0 1 2 1 2 0 -> 1,4 (2) | 5,6 (1) | 7,8 (0)
  assert.deepEqual(await r.rank(s1), { ranking: ['1', '4', '5', '6', '7', '8'], targetRank: 3 });
  // list cut to the LLM's list length: the target beyond it counts as absent
  const short = new PopularityRanker(2);
  short.fit(ds.splits.train);
  assert.deepEqual(await short.rank(s1), { ranking: ['1', '4'], targetRank: null });
  assert.equal(short.count('4'), 2);
  assert.equal(short.count('nope'), 0);
});

test('id order is numeric for numbers, lexicographic otherwise', () => {
  assert.deepEqual(['10', '9', '100', 'b', 'a10', 'a9'].sort(compareIds), ['9', '10', '100', 'a10', 'a9', 'b']);
  assert.deepEqual(rankByPopularity(['10', '9'], new Map()), ['9', '10']);
});

test('sknn: cosine over binary item sets, k neighbours, summed similarity (hand-computed)', async () => {
  const r = new SknnRanker(2, 10);
  r.fit(ds.splits.train);
  // s1 history {2,3}: t1 {1,2,3,4} -> 2/sqrt(2*4) = 0.7071; t2 {2,3,5} -> 2/sqrt(2*3) = 0.8165; t3 {1,4,6} -> 0
  const n = r.neighbours(s1.history);
  assert.deepEqual(n.map((x) => x.index), [1, 0]);
  assert.ok(Math.abs(n[0]!.sim - 2 / Math.sqrt(6)) < 1e-12);
  assert.ok(Math.abs(n[1]!.sim - 2 / Math.sqrt(8)) < 1e-12);
  const sc = r.scores(s1);
  assert.ok(Math.abs(sc.get('5')! - 0.816496580927726) < 1e-12);
  assert.ok(Math.abs(sc.get('4')! - 0.7071067811865475) < 1e-12);
  assert.ok(Math.abs(sc.get('1')! - 0.7071067811865475) < 1e-12);
  assert.equal(sc.get('7'), 0);
  // 5 (0.8165) > 1 = 4 (0.7071, tie: popularity 2 = 2, then id) > 6 (0, pop 1) > 7, 8 (0, pop 0, id)
  assert.deepEqual(await r.rank(s1), { ranking: ['5', '1', '4', '6', '7', '8'], targetRank: 1 });

  // s2 history {1}: t1 -> 1/sqrt(4) = 0.5; t3 -> 1/sqrt(3) = 0.5774
  // scores: 6 = 0.5774; 4 = 0.5 + 0.5774 = 1.0774; 2 = 3 = 0.5
  const sc2 = r.scores(s2);
  assert.ok(Math.abs(sc2.get('4')! - (0.5 + 1 / Math.sqrt(3))) < 1e-12);
  assert.deepEqual(await r.rank(s2), { ranking: ['4', '6', '2', '3'], targetRank: 2 });
});

test('sknn: k limits the neighbours that vote', async () => {
  // s3 history {4}: t3 {1,4,6} -> 0.5774, t1 {1,2,3,4} -> 0.5
  const k1 = new SknnRanker(1, 10);
  k1.fit(ds.splits.train);
  assert.deepEqual(k1.neighbours(s3.history).map((x) => x.index), [2]);
  assert.equal(k1.scores(s3).get('2'), 0); // only t3 votes: item 2 is not in it
  const k2 = new SknnRanker(2, 10);
  k2.fit(ds.splits.train);
  assert.equal(k2.scores(s3).get('2'), 0.5);
  // both: 6 first; 2 before 5 (k=1: popularity 2 > 1; k=2: 0.5 > 0)
  assert.deepEqual((await k1.rank(s3)).ranking, ['6', '2', '5']);
  assert.deepEqual((await k2.rank(s3)).ranking, ['6', '2', '5']);
});

test('sknn without neighbours falls back to popularity; bad k is refused', async () => {
  const r = new SknnRanker(5, 10);
  r.fit(ds.splits.train);
  const lone = { id: 'x', history: ['8'], target: '5', candidates: ['7', '5', '1'] };
  assert.deepEqual(r.neighbours(lone.history), []);
  assert.deepEqual((await r.rank(lone)).ranking, ['1', '5', '7']);
  assert.deepEqual(r.neighbours([]), []);
  // a repeated candidate is ranked once
  assert.deepEqual((await r.rank({ ...lone, candidates: ['5', '1', '5'] })).ranking, ['1', '5']);
  const p = new PopularityRanker(10);
  p.fit(ds.splits.train);
  assert.deepEqual((await p.rank({ ...lone, candidates: ['5', '1', '5'] })).ranking, ['1', '5']);
  assert.throws(() => new SknnRanker(0, 10), /k must be a positive integer/);
});
