/** Turns a stage's (session, hint) pairs into planned requests, deduplicated by cache key. */
import type { Re2llmConfig } from '../config/defaults';
import type { Session, SessionDataset } from '../data/types';
import { cacheKey } from '../llm/cache';
import { cacheEndpointFor, chatCacheInput, embeddingCacheInput } from '../llm/client';
import { buildRankPrompt, rankPromptOptions } from '../prompts/rank';
import type { ChatRequest } from '../llm/types';
import type { PlannedEmbedding, PlannedRequest } from './types';

export interface PlanContext {
  dataset: SessionDataset;
  config: Re2llmConfig;
  /** The client's endpoint id override (the demo's sim://…), so keys match the client's. */
  endpointId?: string;
}

/** A rank answer is topK numbered title lines: about 12 tokens each, at most llm.maxTokens. */
export function expectedRankTokens(config: Re2llmConfig): number {
  return Math.min(config.llm.maxTokens, config.prompt.topK * 12);
}

export class PlanBuilder {
  private readonly seen = new Set<string>();
  readonly requests: PlannedRequest[] = [];
  readonly embeddings: PlannedEmbedding[] = [];
  private readonly endpoint: string;

  constructor(private readonly ctx: PlanContext) {
    this.endpoint = cacheEndpointFor(ctx.config, ctx.endpointId);
  }

  /** The rank request rankSession sends for (session, hint); an empty hint is the base prompt. */
  addRank(session: Session, hint?: string): void {
    const { dataset, config } = this.ctx;
    const withHint = hint !== undefined && hint.trim().length > 0;
    const prompt = buildRankPrompt(dataset, session, rankPromptOptions(config), withHint ? hint : undefined);
    this.addChat({ messages: prompt.messages, purpose: withHint ? 'rank-hint' : 'rank' });
  }

  /** Any chat request a stage sends (a reflection turn); answers of about a rank answer's length. */
  addChat(request: ChatRequest): void {
    const { config } = this.ctx;
    const input = chatCacheInput(config.llm, this.endpoint, request);
    const key = cacheKey(input);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.requests.push({ cacheKey: key, request, input, expectedCompletionTokens: expectedRankTokens(config) });
  }

  /** The embedding the client's embed() looks up for one text. */
  addEmbedding(text: string): void {
    const input = embeddingCacheInput(this.ctx.config.llm, this.endpoint, text);
    const key = cacheKey(input);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.embeddings.push({ cacheKey: key, input });
  }
}
