import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetFacts, pilotFacts, setupWarnings } from '../../../src/core/run/setupWarnings';
import type { ResultsFile } from '../../../src/protocol/results';

const facts = { name: 'my', testSessions: 200, minCandidates: 50, medianCandidates: 50, titleOnly: false };
const base = { dataset: facts, enabledHints: 20, targetHints: 20, candidates: 50, testSample: 200, topK: 10 };

test('a sound setup has no warning', () => {
  assert.deepEqual(setupWarnings(base), []);
  assert.deepEqual(setupWarnings({ ...base, dataset: undefined, enabledHints: undefined }), []);
});

test('a KB far short of its target, on a title-only dataset, says both', () => {
  const [w] = setupWarnings({ ...base, enabledHints: 1, dataset: { ...facts, titleOnly: true } });
  assert.match(w!, /holds 1 of 20 target hints/);
  assert.match(w!, /titles only/);
  assert.deepEqual(setupWarnings({ ...base, enabledHints: 11 }), [], 'more than half of the target is not "far short"');
});

test('candidate sets smaller than dataset.candidates; at most topK makes HR@K trivially 1', () => {
  const [w] = setupWarnings({ ...base, dataset: { ...facts, minCandidates: 8, medianCandidates: 12 } });
  assert.match(w!, /only 8 candidates \(median 12; dataset.candidates is 50\)/);
  assert.match(w!, /HR@10 is 1 for any ranker/);
});

test('too few test sessions: the sample, or the whole split when it is 0 (all)', () => {
  assert.match(setupWarnings({ ...base, testSample: 40 })[0]!, /on 40 test sessions/);
  assert.match(setupWarnings({ ...base, testSample: 0, dataset: { ...facts, testSessions: 60 } })[0]!, /on 60 test sessions/);
  assert.deepEqual(setupWarnings({ ...base, testSample: 0 }), []);
});

test('datasetFacts: candidate sizes over the test split and whether items carry attributes', () => {
  const items = new Map([['1', { attributes: {} }], ['2', {}]]);
  const f = datasetFacts({ name: 'x', items, splits: { test: [{ candidates: ['1', '2', '3'] }, { candidates: ['1'] }, { candidates: ['1', '2'] }] } });
  assert.deepEqual(f, { name: 'x', testSessions: 3, minCandidates: 1, medianCandidates: 2, titleOnly: true });
});

test('with a pilot the test-size warning is the planner’s: the MDE of n sessions and the sessions ±0.02 needs (hand-computed)', () => {
  // z(0.975) + z(0.8) = 1.959964 + 0.841621 = 2.801585; SD 0.2: n = 200 detects 2.801585 * 0.2 / sqrt(200) = 0.0396;
  // ±0.02 needs ceil((2.801585 * 0.2 / 0.02)^2) = ceil(784.888) = 785.
  const pilot = { run: 'eval-1', metric: 'NDCG@10', sd: 0.2 };
  const [w, ...rest] = setupWarnings({ ...base, testSample: 200, pilot });
  assert.deepEqual(rest, []);
  assert.match(w!, /^Evaluating on 200 test sessions detects only ±0\.040 NDCG@10 \(80% power; paired SD 0\.200 in run eval-1\); ±0\.02 needs 785 sessions/);
  // Enough sessions for ±0.02: no warning, even below the rule of thumb's 100 when the SD is small.
  assert.deepEqual(setupWarnings({ ...base, testSample: 785, dataset: { ...facts, testSessions: 1000 }, pilot }), []);
  assert.deepEqual(setupWarnings({ ...base, testSample: 40, pilot: { ...pilot, sd: 0.03 } }), []);
});

test('pilotFacts: the largest paired SD of the primary comparisons in a results file; none without paired sessions', () => {
  const r = JSON.parse(readFileSync(join(__dirname, '../../fixtures/results-full/results.json'), 'utf8')) as ResultsFile;
  const p = pilotFacts(r, ['agent:no-hint', 'agent:random-hint'], 'NDCG@10');
  assert.ok(p && p.sd > 0 && p.run === r.run.id && p.metric === 'NDCG@10', JSON.stringify(p));
  assert.equal(pilotFacts({ ...r, sessions: [] }, ['agent:no-hint'], 'NDCG@10'), undefined);
});
