/**
 * The Jobs section's pending batches: read from the runs folder's batches.json files (the folder
 * and each run folder), listed while not terminal, re-read on an interval while any is pending,
 * and a notification once one completes; torn files list nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWatcher, recordedBatches } from '../../src/extension/host/batches';
import { FakeVs } from './fakes/fakeVscode';

const rec = (id: string, status: string, completed: number, failed = 0) => ({
  id,
  inputFileId: `file-${id}`,
  keys: ['k1', 'k2'],
  status,
  counts: { total: 40, completed, failed },
  createdAt: '2026-12-02T05:00:00.000Z',
  imported: false,
});
const write = (dir: string, batches: unknown[]) => writeFileSync(join(dir, 'batches.json'), JSON.stringify({ version: 1, batches }));

test('pending batches: listed from every batches.json while not terminal; a completion is announced once; polling stops', async () => {
  const runsDir = mkdtempSync(join(tmpdir(), 'ext-batches-'));
  mkdirSync(join(runsDir, 'eval-a'));
  write(runsDir, [rec('batch_1', 'in_progress', 10), rec('batch_old', 'completed', 40)]);
  write(join(runsDir, 'eval-a'), [rec('batch_2', 'validating', 0)]);
  mkdirSync(join(runsDir, 'train-torn'));
  writeFileSync(join(runsDir, 'train-torn', 'batches.json'), '{"version": 1, "batc');
  const vs = new FakeVs();
  let refreshes = 0;
  const w = new BatchWatcher({ ui: vs.ui, log: vs.log, refresh: () => refreshes++, intervalMs: 20 });
  try {
    const first = await w.pending(runsDir);
    assert.deepEqual(
      first.map((b) => [b.id, b.status, b.completed, b.total, b.file]),
      [
        ['batch_1', 'in_progress', 10, 40, 'batches.json'],
        ['batch_2', 'validating', 0, 40, 'eval-a/batches.json'],
      ],
    );
    assert.equal(vs.shown.length, 0, 'an already completed batch is not announced');
    await new Promise((r) => setTimeout(r, 120));
    assert.ok(refreshes >= 2, `re-read on an interval while pending (${refreshes})`);
    write(runsDir, [rec('batch_1', 'completed', 38, 2), rec('batch_old', 'completed', 40)]);
    write(join(runsDir, 'eval-a'), [rec('batch_2', 'expired', 0)]);
    assert.deepEqual(await w.pending(runsDir), []);
    assert.deepEqual(
      vs.shown.map((s) => [s.level, s.message]),
      [
        ['info', 'Re2LLM: batch batch_1 completed (38/40 answered, 2 failed). Start the stage again to use its answers from the cache.'],
        ['warn', 'Re2LLM: batch batch_2 expired (0/40 answered). Start the stage again to use its answers from the cache.'],
      ],
    );
    await w.pending(runsDir);
    assert.equal(vs.shown.length, 2, 'announced once');
    const after = refreshes;
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(refreshes, after, 'no polling once nothing is pending');
  } finally {
    w.dispose();
  }
  assert.deepEqual(await recordedBatches(join(runsDir, 'missing')), []);
});
