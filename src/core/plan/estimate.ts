/**
 * Size, tokens and cost of a plan, before anything is spent. Tokens are estimated at ~4
 * characters per token (the client's own fallback); prices come from effectivePrices (0 for
 * the simulator and loopback endpoints unless set), batch at the Batch API's 50% discount.
 */
import type { Re2llmConfig } from '../config/defaults';
import type { ResponseCache } from '../llm/cache';
import { effectivePrices } from '../llm/prices';
import type { RequestPlan } from './types';

/** OpenAI and Azure OpenAI Batch price: half the online price. */
export const BATCH_PRICE_FACTOR = 0.5;

export interface PlanEstimate {
  stage: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  onlineCost: number;
  batchCost: number;
}

export function estimatePlan(plan: RequestPlan, llm: Pick<Re2llmConfig['llm'], 'baseUrl' | 'inputCostPerMTok' | 'outputCostPerMTok'>): PlanEstimate {
  let promptTokens = 0;
  let completionTokens = 0;
  for (const r of plan.requests) {
    promptTokens += Math.ceil(r.input.messages.map((m) => m.content).join('\n').length / 4);
    completionTokens += r.expectedCompletionTokens;
  }
  const p = effectivePrices(llm);
  const onlineCost = (promptTokens * p.inputPerMTok + completionTokens * p.outputPerMTok) / 1e6;
  return { stage: plan.stage, requests: plan.requests.length, promptTokens, completionTokens, onlineCost, batchCost: onlineCost * BATCH_PRICE_FACTOR };
}

/** The plan without the requests the response cache already answers. */
export async function withoutCached(plan: RequestPlan, cache: ResponseCache): Promise<RequestPlan> {
  const requests = [];
  for (const r of plan.requests) if (!(await cache.get(r.cacheKey))) requests.push(r);
  if (!plan.embeddings) return { ...plan, requests };
  const embeddings = [];
  for (const e of plan.embeddings) if (!(await cache.get(e.cacheKey))) embeddings.push(e);
  return { ...plan, requests, embeddings };
}

/** Requests plus embeddings left to fill (0: an executor has nothing to do). */
export function pendingCount(plan: RequestPlan): number {
  return plan.requests.length + (plan.embeddings?.length ?? 0);
}

/** One line per estimate, for the CLI. */
export function formatEstimate(e: PlanEstimate): string {
  const usd = (x: number): string => `$${x.toFixed(x < 1 ? 4 : 2)}`;
  return `${e.stage}: ${e.requests} LLM requests to make, ~${e.promptTokens} prompt + ~${e.completionTokens} answer tokens; cost ${usd(e.onlineCost)} online, ${usd(e.batchCost)} batch`;
}
