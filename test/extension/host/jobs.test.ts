/** JobManager.cancelAll, as deactivate uses it: cancel every running job and wait for them to settle, within a limit. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobManager } from '../../../src/extension/host/jobs';
import type { Memento } from '../../../src/extension/vscode/types';

function memento(): Memento {
  const m = new Map<string, unknown>();
  return { get: <T>(k: string) => m.get(k) as T | undefined, update: async (k: string, v: unknown) => void m.set(k, v) };
}

test('cancelAll waits until cancelled jobs have settled (the worker gets time to stop)', async () => {
  const jobs = new JobManager(memento(), () => {});
  let cleanedUp = false;
  jobs.start('train', 'slow stop', (h) =>
    new Promise((_, reject) => h.signal.addEventListener('abort', () => setTimeout(() => ((cleanedUp = true), reject(new Error('stopped'))), 80))),
  );
  const t0 = Date.now();
  await jobs.cancelAll(5000);
  assert.equal(cleanedUp, true, 'returned before the job settled');
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(jobs.snapshot()[0]!.status, 'cancelled');
});

test('cancelAll gives up after the limit when a job ignores cancellation', async () => {
  const jobs = new JobManager(memento(), () => {});
  jobs.start('evaluate', 'stuck', () => new Promise(() => {}));
  const t0 = Date.now();
  await jobs.cancelAll(100);
  const waited = Date.now() - t0;
  assert.ok(waited >= 90 && waited < 1000, `waited ${waited} ms`);
});

test('cancelAll with nothing running returns at once', async () => {
  const t0 = Date.now();
  await new JobManager(memento(), () => {}).cancelAll(5000);
  assert.ok(Date.now() - t0 < 50);
});
