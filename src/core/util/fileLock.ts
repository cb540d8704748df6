/**
 * A lock file held by one process at a time (the stage lock of a run folder, the batch state of
 * `batches.json`): created with O_EXCL, so exactly one process gets it; it records the holder
 * (pid, host, what it does, start time). Another process waits a little for it, then fails naming
 * the holder. A lock whose holder is a dead process on this host is stale (a SIGKILL leaves one
 * behind) and is taken over; a lock held on another host cannot be checked and is never taken over.
 */
import { promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { silentLogger, type Logger } from './log';

export interface LockHolder {
  pid: number;
  host: string;
  /** What the holder does (a stage name, "batch fill"). */
  stage: string;
  startedAt: string;
}

export interface FileLockOptions {
  /** What this process does, recorded for whoever waits. */
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

export interface FileLock {
  file: string;
  release(): Promise<void>;
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

async function readLockHolder(file: string): Promise<LockHolder | undefined> {
  try {
    const v = JSON.parse(await fsp.readFile(file, 'utf8')) as Partial<LockHolder>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.stage === 'string' && typeof v.startedAt === 'string') return v as LockHolder;
  } catch {
    /* missing, or torn mid-write */
  }
  return undefined;
}

/**
 * Takes the lock file `file` (creating its folder), waiting up to `waitMs` for a live holder;
 * `locked` makes the error thrown when the wait runs out (it names the holder).
 */
export async function acquireFileLock(file: string, o: FileLockOptions, locked: (file: string, holder: LockHolder | undefined) => Error): Promise<FileLock> {
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
      return { file, release: () => removeIfSame(file, me) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readLockHolder(file);
    if (holder && holder.host === self.host && !isAlive(holder.pid)) {
      logger.log('warn', `${file}: taking over a stale lock (pid ${holder.pid} on ${holder.host} since ${holder.startedAt} is gone)`);
      await removeIfSame(file, holder);
      continue;
    }
    if (Date.now() >= deadline) throw locked(file, holder);
    if (!announced) {
      logger.log('info', `${dirname(file)}: waiting for ${holder ? `pid ${holder.pid} on ${holder.host} (${holder.stage})` : 'another process'}`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, o.pollMs ?? 200));
  }
}

/** Removes the lock only while it is still the one described (another process may have taken over). */
async function removeIfSame(file: string, holder: LockHolder): Promise<void> {
  const now = await readLockHolder(file);
  if (now && now.pid === holder.pid && now.host === holder.host && now.startedAt === holder.startedAt) await fsp.rm(file, { force: true });
}
