/**
 * A `Trainer` that trains in this process (the worker's setup, trainProblemFor, without the
 * fork), so pipeline tests run fast and deterministically.
 */
import type { Trainer } from '../../src/core/run/runExperiment';
import { trainAgent } from '../../src/core/agent/train';
import { trainProblemFor } from '../../src/core/run/trainProblem';
import { createLlmClient, ResponseCache } from '../../src/core/llm';
import { silentLogger } from '../../src/core/util/log';

export function inProcessTrainer(signal?: AbortSignal): Trainer {
  return async (config, options, onProgress) => {
    const problem = await trainProblemFor(config, options, {
      logger: silentLogger,
      openClient: async () => createLlmClient(config, { cache: await ResponseCache.open(config.llm.cacheDir), logger: silentLogger }),
    });
    return trainAgent({
      config, problem,
      runDir: options.runDir, resume: options.resume, packageVersion: options.packageVersion, logger: silentLogger,
      ...(options.steps !== undefined ? { steps: options.steps } : {}),
      ...(options.baseDir !== undefined ? { baseDir: options.baseDir } : {}),
      ...(options.fold ? { fold: options.fold } : {}),
      ...(signal ? { signal } : {}), onProgress,
    });
  };
}
