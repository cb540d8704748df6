/**
 * A plan: the LLM requests a stage needs, stated before it runs, each with the cache key the
 * client will look up (same prompt builders, same key function), so an executor can fill the
 * response cache first and the stage then runs from the cache.
 */
import type { ChatCacheInput, EmbeddingCacheInput } from '../llm/cache';
import type { ChatRequest } from '../llm/types';
import type { PaidAnswer } from '../llm/paidAhead';

export type PlannedStage = 'reflect' | 'train' | 'evaluate';

export interface PlannedRequest {
  /** sha256 of the canonical request (cacheKey of `input`): the batch line's custom_id. */
  cacheKey: string;
  /** What the stage will send through the client. */
  request: ChatRequest;
  /** The canonical form the cache stores (model, temperature, endpoint identity included). */
  input: ChatCacheInput;
  /** Expected answer length in tokens (for the estimate; the answer is at most llm.maxTokens). */
  expectedCompletionTokens: number;
}

/** One embedding a stage needs (the openai state encoder's item texts): filled like a request. */
export interface PlannedEmbedding {
  cacheKey: string;
  input: EmbeddingCacheInput;
}

export interface RequestPlan {
  stage: PlannedStage;
  /** Distinct requests, in the order the stage would ask them. */
  requests: PlannedRequest[];
  /** Distinct embeddings (encoder.kind=openai), absent when the stage needs none. */
  embeddings?: PlannedEmbedding[];
  /** What the plan leaves to the stage to ask online (requests that depend on earlier answers). */
  notes: string[];
}

/**
 * Fills a plan's answers into the response cache before its stage reads them (llm.executor=batch:
 * the Batch API, or an export). Returns the answers it paid for, with what each cost, when it
 * knows them (paidAhead.ts charges each to the condition that reads it first); a filler that
 * paid nothing or cannot tell returns nothing.
 */
export type PlanFill = (plan: RequestPlan) => Promise<PaidAnswer[] | void>;
