import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { scoreAnswers, type ScoreOptions } from '../../../src/core/rank/scoreAnswers';
import { readRecordedAnswers, parseRecordedAnswers } from '../../../src/core/parse/recordedAnswers';
import { InputError } from '../../../src/core/util/errors';
import { tinyDataset } from './tinyDataset';

const FIX = join(__dirname, '../../fixtures');
const opts = (mode: ScoreOptions['mode']): ScoreOptions => ({ mode, fuzzyThreshold: 0.85, topK: 10, ks: [1, 5, 10], bootstrap: 200, seed: 7 });

test('JSONL answers scored by hand (normalised mode)', async () => {
  const recorded = await readRecordedAnswers(join(FIX, 'answers-jsonl/answers.jsonl'));
  const r = scoreAnswers(tinyDataset(), recorded, opts('normalised'));
  // train-0: target "Addams Family, The" on line 2; train-1: target Mr. Smith on line 1; test-0: no list.
  assert.deepEqual(r.sessions.map((s) => s.rank), [2, 1, null]);
  assert.equal(r.n, 3);
  assert.equal(r.metrics['HR@1']!.mean, 1 / 3);
  assert.equal(r.metrics['HR@5']!.mean, 2 / 3);
  // NDCG@10 = (1/log2(3) + 1 + 0) / 3
  assert.ok(Math.abs(r.metrics['NDCG@10']!.mean - (1 / Math.log2(3) + 1) / 3) < 1e-12);
  assert.equal(r.metrics['MRR']!.mean, 0.5); // (1/2 + 1 + 0) / 3
  for (const e of Object.values(r.metrics)) assert.ok(e.ciLow <= e.mean && e.mean <= e.ciHigh);
  assert.deepEqual(r.counts, { answers: 3, lines: 6, matched: 6, hallucinated: 0, duplicates: 1, unparsable: 1, withHallucination: 0 });
  assert.equal(r.rates.unparsable, 1 / 3);
  assert.equal(r.rates.duplicateLines, 1 / 6);
  assert.deepEqual(r.labelMismatches, []);
});

test('exact mode counts "The Addams Family" against "Addams Family, The" as a hallucination', async () => {
  const recorded = await readRecordedAnswers(join(FIX, 'answers-jsonl/answers.jsonl'));
  const r = scoreAnswers(tinyDataset(), recorded, opts('exact'));
  // "1) Mr. Smith ..." is not "N. " numbering, so exact mode misses it too.
  assert.deepEqual(r.sessions.map((s) => s.rank), [null, null, null]);
  // 1 line of train-0 and all 3 "1)" lines of train-1.
  assert.equal(r.counts.hallucinated, 4);
});

test('authors\' log: labels checked against the targets, mismatches reported', async () => {
  const recorded = await readRecordedAnswers(join(FIX, 'answers-authors-log/log.txt'));
  const ds = tinyDataset();
  ds.splits.train.push({ id: 'train-2', history: ['1'], target: '2', candidates: ['1', '2', '5'] });
  const r = scoreAnswers(ds, recorded, opts('exact'));
  assert.deepEqual(r.sessions.map((s) => s.rank), [2, 1, null]);
  assert.deepEqual(r.labelMismatches, [{ sessionId: 'train-2', line: 14, label: 'Heat', targetTitle: 'Paris, Texas' }]);
  assert.equal(r.counts.hallucinated, 1); // Titanic
});

test('an unknown session id names the answers file and line', () => {
  const recorded = parseRecordedAnswers('{"session_id": "train-0", "answer": "1. Heat"}\n{"session_id": "nope", "answer": "1. Heat"}', 'ans.jsonl');
  assert.throws(() => scoreAnswers(tinyDataset(), recorded, opts('fuzzy')), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.equal(e.message, 'ans.jsonl:2 (field "session_id"): unknown session "nope" (not in dataset "tiny")');
    return true;
  });
});
