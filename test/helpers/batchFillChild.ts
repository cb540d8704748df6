/**
 * A separate process that fills a training plan through the batch executor (for the SIGKILL
 * and the two-fillers tests): argv = dataset folder, simulator URL, cache folder, state folder,
 * optionally the batches lock wait in ms. KB: two fixed hints. Prints the fill report as JSON;
 * an error goes to stderr with exit code 1.
 */
import { resolveConfig } from '../../src/core/config/resolve';
import { loadDataset } from '../../src/core/data/load';
import { ResponseCache } from '../../src/core/llm/cache';
import { createLlmClient } from '../../src/core/llm/client';
import { onlineExecutor } from '../../src/core/llm/executor';
import { batchExecutor } from '../../src/core/llm/batchExecutor';
import { planTraining } from '../../src/core/plan';

export const CHILD_KB = {
  version: 1 as const,
  hints: [
    { id: 'h-genre', text: 'Pay attention to the genres the user watches most.' },
    { id: 'h-era', text: 'Consider the release era of the movies the user watched.' },
  ],
};

export function childConfig(data: string, url: string, cacheDir: string) {
  return resolveConfig({ layers: [{ source: 'test', values: { 'dataset.path': data, 'llm.baseUrl': url, 'llm.model': 'sim', 'llm.endpointId': 'sim://batch-test', 'llm.cacheDir': cacheDir } }] }).config;
}

async function main(): Promise<void> {
  const [data, url, cacheDir, stateDir, lockWait] = process.argv.slice(2) as [string, string, string, string, string | undefined];
  const config = childConfig(data, url, cacheDir);
  const dataset = await loadDataset(config);
  const cache = await ResponseCache.open(cacheDir);
  const plan = planTraining({ dataset, config }, CHILD_KB);
  const report = await batchExecutor({ config, cache, stateDir, online: onlineExecutor(createLlmClient(config, { cache }), 4), firstPollMs: 50, ...(lockWait ? { lockWaitMs: Number(lockWait), lock: { pollMs: 25 } } : {}) }).fill(plan.requests);
  process.stdout.write(JSON.stringify(report) + '\n');
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  });
}
