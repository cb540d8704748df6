/**
 * The `Trainer` that the CLI's `run`/`demo` and the extension's Run Full Pipeline inject into
 * runExperiment: training always happens in a forked worker process (src/worker/client.ts).
 */
import type { Trainer } from '../core/run/runExperiment';
import type { Logger } from '../core/util/log';
import { startTrainingWorker } from './client';

export interface WorkerTrainerOptions {
  logger: Logger;
  /** Extra environment for the child: the API key travels only this way. */
  env?: Record<string, string | undefined>;
  /** Aborting it cancels the worker gracefully (it checkpoints first). */
  signal?: AbortSignal;
  workerPath?: string;
  /** Called with the child's pid once it is forked (the extension shows it, tests kill it). */
  onStart?: (pid: number | undefined) => void;
}

export function workerTrainer(o: WorkerTrainerOptions): Trainer {
  return (config, options, onProgress) => {
    const handle = startTrainingWorker({
      config, options, logger: o.logger,
      ...(o.env ? { env: o.env } : {}),
      ...(o.workerPath ? { workerPath: o.workerPath } : {}),
    });
    o.onStart?.(handle.pid);
    handle.on('progress', onProgress);
    const onAbort = (): void => handle.cancel();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    return handle.result.finally(() => o.signal?.removeEventListener('abort', onAbort));
  };
}
