/**
 * Size, tokens and cost of a plan, before anything is spent. Tokens are estimated at ~4
 * characters per token (the client's own fallback); prices come from effectivePrices (0 for
 * the simulator and loopback endpoints unless set), batch at the Batch API's 50% discount.
 * Embeddings (encoder.kind=openai) are counted apart: texts, the requests that carry them (the
 * online executor sends 256 texts per request, the batch executor one line per text), their
 * tokens and their cost at llm.embeddingCostPerMTok.
 */
import type { ResponseCache } from '../llm/cache';
import { EMBED_TEXTS_PER_REQUEST } from '../llm/embedRequests';
import { effectivePrices, type PricedLlm } from '../llm/prices';
import type { RequestPlan } from './types';

/** OpenAI and Azure OpenAI Batch price: half the online price. */
export const BATCH_PRICE_FACTOR = 0.5;

export interface PlanEstimate {
  stage: string;
  /** Chat requests to make (one each, online or as a batch line). */
  requests: number;
  promptTokens: number;
  completionTokens: number;
  /** Texts to embed (the openai encoder's); 0 when the plan has none. */
  embeddings: number;
  /** Embeddings requests online: EMBED_TEXTS_PER_REQUEST (256) texts per request. */
  embeddingRequestsOnline: number;
  /** Embeddings requests in a batch: one line per text. */
  embeddingRequestsBatch: number;
  embeddingTokens: number;
  /** The embeddings' part of onlineCost (batchCost holds half of it). */
  embeddingCost: number;
  /** Everything (chat and embeddings) at online prices. */
  onlineCost: number;
  /** Everything at Batch API prices. */
  batchCost: number;
}

const chars4 = (text: string): number => Math.ceil(text.length / 4);

export function estimatePlan(plan: RequestPlan, llm: PricedLlm): PlanEstimate {
  let promptTokens = 0;
  let completionTokens = 0;
  for (const r of plan.requests) {
    promptTokens += chars4(r.input.messages.map((m) => m.content).join('\n'));
    completionTokens += r.expectedCompletionTokens;
  }
  const embeddings = plan.embeddings?.length ?? 0;
  let embeddingTokens = 0;
  for (const e of plan.embeddings ?? []) embeddingTokens += chars4(e.input.input);
  const p = effectivePrices(llm);
  const embeddingCost = (embeddingTokens * p.embeddingPerMTok) / 1e6;
  const onlineCost = (promptTokens * p.inputPerMTok + completionTokens * p.outputPerMTok) / 1e6 + embeddingCost;
  return {
    stage: plan.stage, requests: plan.requests.length, promptTokens, completionTokens,
    embeddings, embeddingRequestsOnline: Math.ceil(embeddings / EMBED_TEXTS_PER_REQUEST), embeddingRequestsBatch: embeddings, embeddingTokens, embeddingCost,
    onlineCost, batchCost: onlineCost * BATCH_PRICE_FACTOR,
  };
}

/** Requests the executor sends for the estimate: chat requests plus its embeddings requests. */
export function estimatedCalls(e: PlanEstimate, executor: 'online' | 'batch'): number {
  return e.requests + (executor === 'batch' ? e.embeddingRequestsBatch : e.embeddingRequestsOnline);
}

/** The estimates added up, under one name (the CLI's total line, the extension's question). */
export function sumEstimates(stage: string, estimates: readonly PlanEstimate[]): PlanEstimate {
  const total: PlanEstimate = {
    stage, requests: 0, promptTokens: 0, completionTokens: 0,
    embeddings: 0, embeddingRequestsOnline: 0, embeddingRequestsBatch: 0, embeddingTokens: 0, embeddingCost: 0,
    onlineCost: 0, batchCost: 0,
  };
  for (const e of estimates) {
    total.requests += e.requests;
    total.promptTokens += e.promptTokens;
    total.completionTokens += e.completionTokens;
    total.embeddings += e.embeddings;
    total.embeddingRequestsOnline += e.embeddingRequestsOnline;
    total.embeddingRequestsBatch += e.embeddingRequestsBatch;
    total.embeddingTokens += e.embeddingTokens;
    total.embeddingCost += e.embeddingCost;
    total.onlineCost += e.onlineCost;
    total.batchCost += e.batchCost;
  }
  return total;
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

const usd = (x: number): string => `$${x.toFixed(x < 1 ? 4 : 2)}`;

/** The embeddings part of an estimate line ('' when there are none). */
function formatEmbeddings(e: PlanEstimate): string {
  if (!e.embeddings) return '';
  return `${e.embeddings} texts to embed (${e.embeddingRequestsOnline} requests online, ${e.embeddingRequestsBatch} batch lines), ~${e.embeddingTokens} embedding tokens (${usd(e.embeddingCost)} online)`;
}

/** One line per estimate, for the CLI. */
export function formatEstimate(e: PlanEstimate): string {
  const emb = formatEmbeddings(e);
  return `${e.stage}: ${e.requests} LLM requests to make, ~${e.promptTokens} prompt + ~${e.completionTokens} answer tokens${emb ? `; ${emb}` : ''}; cost ${usd(e.onlineCost)} online, ${usd(e.batchCost)} batch`;
}
