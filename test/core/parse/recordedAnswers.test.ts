import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readRecordedAnswers, parseRecordedAnswers } from '../../../src/core/parse/recordedAnswers';
import { InputError } from '../../../src/core/util/errors';

const FIX = join(__dirname, '../../fixtures');

test('JSONL: one record per non-blank line, with its line number', async () => {
  const r = await readRecordedAnswers(join(FIX, 'answers-jsonl/answers.jsonl'));
  assert.equal(r.format, 'jsonl');
  assert.deepEqual(r.answers.map((a) => [a.sessionId, a.line]), [['train-0', 1], ['train-1', 2], ['test-0', 4]]);
  assert.equal(r.answers[0]!.answer, '1. Heat\n2. The Addams Family\n3. Paris, Texas');
});

test('authors\' log: block i is session train-i, label kept, "Output: " stripped', async () => {
  const r = await readRecordedAnswers(join(FIX, 'answers-authors-log/log.txt'));
  assert.equal(r.format, 'authors-log');
  assert.deepEqual(r.answers.map((a) => [a.sessionId, a.line, a.label]), [
    ['train-0', 1, 'Addams Family, The'],
    ['train-1', 8, 'Mr. Smith Goes to Washington'],
    ['train-2', 14, 'Heat'],
  ]);
  assert.equal(r.answers[1]!.answer, '1. Mr. Smith Goes to Washington\n2. Titanic');
  const test2 = parseRecordedAnswers('Label:Heat\r\nOutput: 1. Heat\r\n', 'x.txt', { authorsSplit: 'test' });
  assert.deepEqual(test2.answers.map((a) => [a.sessionId, a.answer]), [['test-0', '1. Heat']]);
});

function throwsAt(fn: () => unknown, file: string, line: number | undefined, field: string | undefined, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, String(e));
    assert.deepEqual([e.file, e.line, e.field], [file, line, field]);
    assert.match(e.message, message);
    return true;
  });
}

test('bad input names the file, line and field', async () => {
  await assert.rejects(readRecordedAnswers(join(FIX, 'answers-bad-jsonl/answers.jsonl')), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.match(e.message, /answers\.jsonl:3 \(field "answer"\): expected a string/);
    return true;
  });
  throwsAt(() => parseRecordedAnswers('{"session_id": "a", "answer": "x"}\n{"session_id": "a"', 'f.jsonl'), 'f.jsonl', 2, undefined, /invalid JSON/);
  throwsAt(() => parseRecordedAnswers('{"session_id": "", "answer": "x"}', 'f.jsonl'), 'f.jsonl', 1, 'session_id', /non-empty/);
  throwsAt(() => parseRecordedAnswers('{"session_id": "a", "answer": "x"}\n{"session_id": "a", "answer": "y"}', 'f.jsonl'), 'f.jsonl', 2, 'session_id', /already answered on line 1/);
  throwsAt(() => parseRecordedAnswers('{"session_id": "a", "answer": "x"}\n["a"]', 'f.jsonl'), 'f.jsonl', 2, undefined, /expected a JSON object/);
  throwsAt(() => parseRecordedAnswers('Label:Heat\nOops\nOutput: 1. Heat', 'log.txt'), 'log.txt', 2, undefined, /expected "Output:"/);
  throwsAt(() => parseRecordedAnswers('Label:Heat\n\n\nLabel:Ran\nOutput: 1. Ran', 'log.txt'), 'log.txt', 1, undefined, /no "Output:"/);
  throwsAt(() => parseRecordedAnswers('\n\nhello', 'a.txt'), 'a.txt', 3, undefined, /unknown answers format/);
  throwsAt(() => parseRecordedAnswers('  \n', 'a.txt'), 'a.txt', undefined, undefined, /no answers/);
  await assert.rejects(readRecordedAnswers(join(FIX, 'no-such-file.jsonl')), /no-such-file\.jsonl: cannot read answers/);
});
