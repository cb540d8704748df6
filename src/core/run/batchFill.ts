/**
 * llm.executor=batch: a stage's plan filled through the Batch API (batchExecutor; batches.json in
 * output.runsDir, so a stopped process or a reloaded window resumes its pending batches), chat
 * lines and the openai encoder's embeddings each as batches of their own, failed lines retried as
 * llm.batchRetryFailed says. The one filler every front end uses: `re2llm run`/`train`/`evaluate`
 * pass it, and runExperiment falls back to it when its caller passes none (VS Code's pipeline,
 * studies), so the setting is never silently ignored.
 */
import type { Re2llmConfig } from '../config/defaults';
import type { PlanFill } from '../plan';
import { ResponseCache } from '../llm/cache';
import { createLlmClient } from '../llm/client';
import { onlineExecutor, type BatchUsage, type FillReport } from '../llm/executor';
import { chatCost, effectivePrices } from '../llm/prices';
import { BATCH_PRICE_FACTOR } from '../plan/estimate';
import { batchExecutor } from '../llm/batchExecutor';
import { PaidAhead, type PaidAnswer } from '../llm/paidAhead';
import type { Logger } from '../util/log';

/** What a filler's batches cost: the lines imported, their tokens, at the Batch API's price. */
export interface BatchSpend extends BatchUsage {
  cost: number;
}

/**
 * `onUsage`: after each fill, the batch lines it imported and their cost (the client that the
 * stage uses counts only online requests, so without this a batch job reads "0 calls").
 */
export function batchPlanFiller(config: Re2llmConfig, o: { logger: Logger; apiKey?: string; onUsage?: (spent: BatchSpend) => void }): PlanFill {
  const prices = effectivePrices(config.llm);
  return async (plan) => {
    const cache = await ResponseCache.open(config.llm.cacheDir);
    const key = o.apiKey ? { apiKey: o.apiKey } : {};
    const client = createLlmClient(config, { cache, logger: o.logger, ...key });
    // Failed lines retried online (llm.batchRetryFailed=online) are paid at online prices.
    const retried = new PaidAhead(client, prices);
    const exec = batchExecutor({ config, cache, stateDir: config.output.runsDir, online: onlineExecutor(retried.recording(), config.llm.concurrency), logger: o.logger, ...key });
    const report = (what: string, r: { filled: number; requested: number; failed: number; batchesCreated?: number; batchesResumed?: number }): void =>
      o.logger.log(
        'info',
        `batch: ${plan.stage}: ${r.filled} of ${r.requested} planned ${what} in the cache (${r.batchesCreated ?? 0} batch(es) created, ${r.batchesResumed ?? 0} resumed)` +
          (r.failed ? `; ${r.failed} failed and are asked online by the stage` : ''),
      );
    const spend = (r: FillReport, perMTokIn: number, perMTokOut: number): void => {
      const u = r.batchUsage;
      if (!u?.requests) return;
      const spent = { ...u, cost: (BATCH_PRICE_FACTOR * (u.promptTokens * perMTokIn + u.completionTokens * perMTokOut)) / 1e6 };
      o.logger.log('info', `batch: ${plan.stage}: ${u.requests} line(s) answered, ${u.promptTokens} prompt + ${u.completionTokens} answer tokens, $${spent.cost.toFixed(4)} at batch prices`);
      o.onUsage?.(spent);
    };
    const paid: PaidAnswer[] = [];
    if (plan.requests.length) {
      const r = await exec.fill(plan.requests);
      report('answers', r);
      spend(r, prices.inputPerMTok, prices.outputPerMTok);
      for (const a of r.answered ?? []) paid.push({ ...a, cost: BATCH_PRICE_FACTOR * chatCost(prices, a.promptTokens, a.completionTokens) });
      paid.push(...retried.unreadAnswers());
    }
    if (plan.embeddings?.length && exec.fillEmbeddings) {
      const r = await exec.fillEmbeddings(plan.embeddings);
      report('embeddings', r);
      spend(r, prices.embeddingPerMTok, 0);
    }
    // The chat answers and what each cost: the stage charges each to whatever reads it first.
    return paid;
  };
}
