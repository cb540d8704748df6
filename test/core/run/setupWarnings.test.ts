import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetFacts, setupWarnings } from '../../../src/core/run/setupWarnings';

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
