/**
 * A stage lock: `stage.lock` in a stage's folder while one process works in it, so two `run`s (or
 * a `run` and a `train --resume`) on one folder never pay for the same calls twice or write over
 * each other. The lock file itself (holder, waiting, stale-lock takeover) is util/fileLock.ts.
 */
import { join } from 'node:path';
import { RUN_FILES } from '../../protocol/runFolder';
import { InputError } from '../util/errors';
import { acquireFileLock, type FileLock, type FileLockOptions, type LockHolder } from '../util/fileLock';

export { pidAlive, type LockHolder } from '../util/fileLock';

export const STAGE_LOCK_FILE = RUN_FILES.lock;

export type StageLockOptions = FileLockOptions;
export type StageLock = FileLock;

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

/** Takes the lock of `dir` (creating the folder), waiting up to `waitMs` for a live holder. */
export function acquireStageLock(dir: string, o: StageLockOptions): Promise<StageLock> {
  return acquireFileLock(join(dir, STAGE_LOCK_FILE), o, (file, holder) => new StageLockedError(file, holder));
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
