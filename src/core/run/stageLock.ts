/**
 * A stage lock: `stage.lock` in a stage's folder while one process works in it, so two `run`s (or
 * a `run` and a `train --resume`) on one folder never pay for the same calls twice or write over
 * each other. The file records the holder (pid, host, stage, start time). A second process waits
 * a little for it, then fails naming the holder. A lock whose holder is a dead process on this
 * host is stale (a SIGKILL leaves one behind) and is taken over; a lock held on another host
 * cannot be checked and is never taken over.
 */
import { promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { RUN_FILES } from '../../protocol/runFolder';
import { InputError } from '../util/errors';
import { silentLogger, type Logger } from '../util/log';

export const STAGE_LOCK_FILE = RUN_FILES.lock;

export interface LockHolder {
  pid: number;
  host: string;
  stage: string;
  startedAt: string;
}

export interface StageLockOptions {
  stage: string;
  /** How long to wait for a live holder before failing (default 2000 ms). */
  waitMs?: number;
  /** Poll interval while waiting (default 200 ms). */
  pollMs?: number;
  logger?: Logger;
  /** Whether a pid runs on this host (default: signal 0). Tests replace it. */
  isAlive?: (pid: number) => boolean;
  /** This process (default: process.pid, os.hostname()). */
  self?: { pid: number; host: string };
}

/** The lock is held by a live process (or one on another host). */
export class StageLockedError extends InputError {
  constructor(readonly lockFile: string, readonly holder: LockHolder | undefined) {
    super(
      holder
        ? `${holder.stage} is already running here: pid ${holder.pid} on ${holder.host} since ${holder.startedAt}. Wait for it to finish (or stop it); if that process is gone, delete this lock file`
        : 'another process holds this folder (its lock file is unreadable); if none does, delete the lock file',
      lockFile,
    );
    this.name = 'StageLockedError';
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    const v = JSON.parse(await fsp.readFile(file, 'utf8')) as Partial<LockHolder>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.stage === 'string' && typeof v.startedAt === 'string') return v as LockHolder;
  } catch {
    /* missing, or torn mid-write */
  }
  return undefined;
}

export interface StageLock {
  file: string;
  release(): Promise<void>;
}

/** Takes the lock of `dir` (creating the folder), waiting up to `waitMs` for a live holder. */
export async function acquireStageLock(dir: string, o: StageLockOptions): Promise<StageLock> {
  const file = join(dir, STAGE_LOCK_FILE);
  const logger = o.logger ?? silentLogger;
  const self = o.self ?? { pid: process.pid, host: hostname() };
  const isAlive = o.isAlive ?? pidAlive;
  const deadline = Date.now() + (o.waitMs ?? 2000);
  const me: LockHolder = { ...self, stage: o.stage, startedAt: new Date().toISOString() };
  await fsp.mkdir(dirname(file), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      // 'wx': exactly one process creates it.
      await fsp.writeFile(file, JSON.stringify(me) + '\n', { flag: 'wx' });
      return { file, release: () => releaseIfOurs(file, me) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readHolder(file);
    if (holder && holder.host === self.host && !isAlive(holder.pid)) {
      logger.log('warn', `${file}: taking over a stale lock (pid ${holder.pid} on ${holder.host} since ${holder.startedAt} is gone)`);
      await removeIfSame(file, holder);
      continue;
    }
    if (Date.now() >= deadline) throw new StageLockedError(file, holder);
    if (!announced) {
      logger.log('info', `${dir}: waiting for ${holder ? `pid ${holder.pid} on ${holder.host} (${holder.stage})` : 'another process'}`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, o.pollMs ?? 200));
  }
}

/** Runs `fn` holding the lock of `dir`; releases it however `fn` ends. */
export async function withStageLock<T>(dir: string, o: StageLockOptions, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireStageLock(dir, o);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/** Removes the lock only while it is still the one described (another process may have taken over). */
async function removeIfSame(file: string, holder: LockHolder): Promise<void> {
  const now = await readHolder(file);
  if (now && now.pid === holder.pid && now.host === holder.host && now.startedAt === holder.startedAt) await fsp.rm(file, { force: true });
}

async function releaseIfOurs(file: string, me: LockHolder): Promise<void> {
  await removeIfSame(file, me);
}
