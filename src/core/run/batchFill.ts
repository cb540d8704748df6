/**
 * llm.executor=batch: a stage's plan filled through the Batch API (batchExecutor; batches.json in
 * output.runsDir, so a stopped process or a reloaded window resumes its pending batches), chat
 * lines and the openai encoder's embeddings each as batches of their own, failed lines retried as
 * llm.batchRetryFailed says. The one filler every front end uses: `re2llm run`/`train`/`evaluate`
 * pass it, and runExperiment falls back to it when its caller passes none (VS Code's pipeline,
 * studies), so the setting is never silently ignored.
 */
import type { Re2llmConfig } from '../config/defaults';
import type { RequestPlan } from '../plan';
import { ResponseCache } from '../llm/cache';
import { createLlmClient } from '../llm/client';
import { onlineExecutor } from '../llm/executor';
import { batchExecutor } from '../llm/batchExecutor';
import type { Logger } from '../util/log';

export function batchPlanFiller(config: Re2llmConfig, o: { logger: Logger; apiKey?: string }): (plan: RequestPlan) => Promise<void> {
  return async (plan) => {
    const cache = await ResponseCache.open(config.llm.cacheDir);
    const key = o.apiKey ? { apiKey: o.apiKey } : {};
    const client = createLlmClient(config, { cache, logger: o.logger, ...key });
    const exec = batchExecutor({ config, cache, stateDir: config.output.runsDir, online: onlineExecutor(client, config.llm.concurrency), logger: o.logger, ...key });
    const report = (what: string, r: { filled: number; requested: number; failed: number; batchesCreated?: number; batchesResumed?: number }): void =>
      o.logger.log(
        'info',
        `batch: ${plan.stage}: ${r.filled} of ${r.requested} planned ${what} in the cache (${r.batchesCreated ?? 0} batch(es) created, ${r.batchesResumed ?? 0} resumed)` +
          (r.failed ? `; ${r.failed} failed and are asked online by the stage` : ''),
      );
    if (plan.requests.length) report('answers', await exec.fill(plan.requests));
    if (plan.embeddings?.length && exec.fillEmbeddings) report('embeddings', await exec.fillEmbeddings(plan.embeddings));
  };
}
