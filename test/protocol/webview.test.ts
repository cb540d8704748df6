import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asResultsCommand, RUN_INFO_LIMITS } from '../../src/protocol/webview';

test('results/updateRun: well-formed messages pass, typed, with extra fields dropped', () => {
  assert.deepEqual(asResultsCommand({ type: 'results/updateRun', runId: 'r1', name: 'Paper preset', evil: '<script>' }), { type: 'results/updateRun', runId: 'r1', name: 'Paper preset' });
  assert.deepEqual(asResultsCommand({ type: 'results/updateRun', runId: 'r1', starred: false }), { type: 'results/updateRun', runId: 'r1', starred: false });
  assert.deepEqual(asResultsCommand({ type: 'results/updateRun', runId: 'r1', notes: '' }), { type: 'results/updateRun', runId: 'r1', notes: '' });
  assert.deepEqual(
    asResultsCommand({ type: 'results/updateRun', runId: 'r1', name: 'x'.repeat(RUN_INFO_LIMITS.name), starred: true, notes: 'y'.repeat(RUN_INFO_LIMITS.notes) }),
    { type: 'results/updateRun', runId: 'r1', name: 'x'.repeat(200), starred: true, notes: 'y'.repeat(5000) },
  );
});

test('results/updateRun: malformed, unbounded or empty patches are rejected', () => {
  const bad: unknown[] = [
    { type: 'results/updateRun' },
    { type: 'results/updateRun', runId: 'r1' },
    { type: 'results/updateRun', runId: '', name: 'a' },
    { type: 'results/updateRun', runId: 7, name: 'a' },
    { type: 'results/updateRun', runId: 'x'.repeat(600), name: 'a' },
    { type: 'results/updateRun', runId: 'r1', name: 'x'.repeat(201) },
    { type: 'results/updateRun', runId: 'r1', name: 42 },
    { type: 'results/updateRun', runId: 'r1', name: null },
    { type: 'results/updateRun', runId: 'r1', starred: 'true' },
    { type: 'results/updateRun', runId: 'r1', starred: 1 },
    { type: 'results/updateRun', runId: 'r1', notes: 'x'.repeat(5001) },
    { type: 'results/updateRun', runId: 'r1', notes: ['a'] },
    { type: 'results/updateRun', runId: 'r1', name: 'ok', starred: 'no' },
  ];
  for (const m of bad) assert.equal(asResultsCommand(m), undefined, JSON.stringify(m).slice(0, 80));
});

test('results commands: the other messages still pass and unknown ones do not', () => {
  assert.deepEqual(asResultsCommand({ type: 'results/ready' }), { type: 'results/ready' });
  assert.deepEqual(asResultsCommand({ type: 'results/export', runId: 'r', format: 'csv' }), { type: 'results/export', runId: 'r', format: 'csv' });
  assert.equal(asResultsCommand({ type: 'results/renameRun', runId: 'r', name: 'a' }), undefined);
  assert.equal(asResultsCommand(null), undefined);
});

test('a checked results/requestSession carries only its own fields', () => {
  const msg = { type: 'results/requestSession', runId: 'r', sessionId: 's', condition: 'agent', extra: '<script>' };
  assert.deepEqual(asResultsCommand(msg), { type: 'results/requestSession', runId: 'r', sessionId: 's', condition: 'agent' });
  assert.equal(asResultsCommand({ ...msg, sessionId: 5 }), undefined);
});
