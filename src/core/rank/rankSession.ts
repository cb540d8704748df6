/**
 * Asks the LLM to rank one session's candidates and scores the answer: the one function every
 * scorer uses (reflection's effectiveness check, the agent's reward, evaluation), so that all of
 * them read answers and compute NDCG the same way.
 */
import type { Re2llmConfig } from '../config/defaults';
import type { Session, SessionDataset } from '../data/types';
import type { LlmClient } from '../llm/types';
import { buildRankPrompt, promptCandidates, rankPromptOptions } from '../prompts/rank';
import { parseRankedAnswer, type ParsedAnswer } from '../parse/rankedAnswer';
import { ndcgAtK } from '../metrics/rankMetrics';

export interface RankContext {
  dataset: SessionDataset;
  client: LlmClient;
  config: Re2llmConfig;
}

export interface RankOutcome {
  /** The prompt text sent (all messages, joined by blank lines). */
  prompt: string;
  answer: string;
  parsed: ParsedAnswer;
  /** NDCG@topK of the target in the parsed answer. */
  ndcg: number;
  /** The answer came from the response cache. */
  cached: boolean;
}

export async function rankSession(ctx: RankContext, session: Session, hint?: string, signal?: AbortSignal): Promise<RankOutcome> {
  const { config, dataset } = ctx;
  const withHint = hint !== undefined && hint.trim().length > 0;
  const prompt = buildRankPrompt(dataset, session, rankPromptOptions(config), withHint ? hint : undefined);
  const result = await ctx.client.chat({ messages: prompt.messages, purpose: withHint ? 'rank-hint' : 'rank' }, signal);
  const candidates = promptCandidates(dataset, session.candidates);
  const parsed = parseRankedAnswer(result.text, candidates, session.target, {
    mode: config.parse.mode,
    fuzzyThreshold: config.parse.fuzzyThreshold,
    topK: config.prompt.topK,
  });
  return {
    prompt: prompt.messages.map((m) => m.content).join('\n\n'),
    answer: result.text,
    parsed,
    ndcg: ndcgAtK(parsed.targetRank, config.prompt.topK),
    cached: result.cached,
  };
}

/**
 * Reward of hint h on session s (method.md): NDCG@topK(answer with h) - NDCG@topK(answer without
 * a hint). No hint (action 0) is 0 by construction, with no call. The no-hint answer is asked
 * again each time; the client's response cache makes that free after the first time.
 */
export async function reward(ctx: RankContext, session: Session, hint?: string, signal?: AbortSignal): Promise<number> {
  if (hint === undefined || hint.trim().length === 0) return 0;
  const withHint = await rankSession(ctx, session, hint, signal);
  const base = await rankSession(ctx, session, undefined, signal);
  return withHint.ndcg - base.ndcg;
}
