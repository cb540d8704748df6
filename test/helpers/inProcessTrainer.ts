/**
 * A `Trainer` that trains in this process (the worker's setup without the fork), so pipeline
 * tests run fast and deterministically. Mirrors src/worker/main.ts's problemFor.
 */
import type { Trainer } from '../../src/core/run/runExperiment';
import { trainAgent } from '../../src/core/agent/train';
import { loadDataset } from '../../src/core/data/load';
import { loadKbFile } from '../../src/core/kb/store';
import { createLlmClient, ResponseCache } from '../../src/core/llm';
import { createEncoder, datasetFamilies } from '../../src/core/encode';
import { silentLogger } from '../../src/core/util/log';

export function inProcessTrainer(signal?: AbortSignal): Trainer {
  return async (config, options, onProgress) => {
    const dataset = await loadDataset(config, { logger: silentLogger });
    const snap = await loadKbFile(options.kbPath!, dataset.name);
    const cache = await ResponseCache.open(config.llm.cacheDir);
    const client = createLlmClient(config, { cache, logger: silentLogger });
    const probeItem = dataset.items.values().next().value;
    const encoder = await createEncoder(config, { client, families: datasetFamilies(dataset), ...(probeItem ? { probeItem } : {}) });
    return trainAgent({
      config, problem: { kind: 'llm', dataset, client, kb: snap.kb, kbPath: options.kbPath!, encoder },
      runDir: options.runDir, resume: options.resume, packageVersion: options.packageVersion, logger: silentLogger,
      ...(signal ? { signal } : {}), onProgress,
    });
  };
}
