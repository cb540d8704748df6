/**
 * The stage lock: a folder held by a live process makes a second one wait, then fail naming the
 * holder; a lock left by a dead process (SIGKILL) is taken over; one held on another host is not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireStageLock, StageLockedError, STAGE_LOCK_FILE, withStageLock, pidAlive } from '../../../src/core/run/stageLock';
import type { Logger } from '../../../src/core/util/log';

const folder = () => join(mkdtempSync(join(tmpdir(), 'lock-')), 'train-abc');
const writeLock = (dir: string, holder: Record<string, unknown>) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, STAGE_LOCK_FILE), JSON.stringify(holder));
};
/** A pid that existed and is gone: a child that already exited. */
const deadPid = (): number => {
  const r = spawnSync(process.execPath, ['-e', '0']);
  assert.ok(r.pid && !pidAlive(r.pid));
  return r.pid;
};

test('the lock records its holder and is removed on release, however the work ends', async () => {
  const dir = folder();
  await withStageLock(dir, { stage: 'train' }, async () => {
    const h = JSON.parse(readFileSync(join(dir, STAGE_LOCK_FILE), 'utf8'));
    assert.equal(h.pid, process.pid);
    assert.equal(h.host, hostname());
    assert.equal(h.stage, 'train');
    assert.ok(!Number.isNaN(Date.parse(h.startedAt)));
  });
  assert.equal(existsSync(join(dir, STAGE_LOCK_FILE)), false);
  await assert.rejects(withStageLock(dir, { stage: 'train' }, async () => { throw new Error('boom'); }), /boom/);
  assert.equal(existsSync(join(dir, STAGE_LOCK_FILE)), false);
});

test('a lock held by a live process: the second waits, then fails naming pid, host, stage and start time', async () => {
  const dir = folder();
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    writeLock(dir, { pid: child.pid, host: hostname(), stage: 'train', startedAt: '2026-12-01T10:00:00.000Z' });
    const logs: string[] = [];
    const logger: Logger = { log: (_l, t) => logs.push(t) };
    await assert.rejects(acquireStageLock(dir, { stage: 'train', waitMs: 300, pollMs: 50, logger }), (err: unknown) => {
      assert.ok(err instanceof StageLockedError);
      assert.match((err as Error).message, new RegExp(`stage\\.lock: train is already running here: pid ${child.pid} on ${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} since 2026-12-01T10:00:00\\.000Z`));
      return true;
    });
    assert.ok(logs.some((l) => l.includes(`waiting for pid ${child.pid}`)), logs.join('\n'));
    assert.ok(existsSync(join(dir, STAGE_LOCK_FILE)), 'a live holder\'s lock is left alone');
  } finally {
    child.kill('SIGKILL');
  }
});

test('a stale lock (its process is dead) is taken over with a warning', async () => {
  const dir = folder();
  const pid = deadPid();
  writeLock(dir, { pid, host: hostname(), stage: 'train', startedAt: '2026-12-01T10:00:00.000Z' });
  const warnings: string[] = [];
  const lock = await acquireStageLock(dir, { stage: 'evaluate', waitMs: 0, logger: { log: (l, t) => { if (l === 'warn') warnings.push(t); } } });
  assert.equal(JSON.parse(readFileSync(lock.file, 'utf8')).pid, process.pid);
  assert.match(warnings.join('\n'), new RegExp(`taking over a stale lock \\(pid ${pid} on .* is gone\\)`));
  await lock.release();
});

test('a lock from another host is never taken over; a waiting process gets the lock once the holder releases it', async () => {
  const dir = folder();
  writeLock(dir, { pid: deadPid(), host: 'another-host.example', stage: 'reflect', startedAt: '2026-12-01T10:00:00.000Z' });
  await assert.rejects(acquireStageLock(dir, { stage: 'reflect', waitMs: 0 }), /reflect is already running here: pid \d+ on another-host\.example/);

  const shared = folder();
  const first = await acquireStageLock(shared, { stage: 'train' });
  const order: string[] = [];
  const second = withStageLock(shared, { stage: 'train', waitMs: 10_000, pollMs: 20, isAlive: () => true }, async () => { order.push('second'); });
  await new Promise((r) => setTimeout(r, 60));
  order.push('first done');
  await first.release();
  await second;
  assert.deepEqual(order, ['first done', 'second']);
});
