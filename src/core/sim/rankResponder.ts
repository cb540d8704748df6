/**
 * The simulated LLM's answer to a rank prompt: read the prompt back into ids, rank with the
 * simulator's model (rankModel.ts) and answer "1. Title\n2. Title ..." with the top K, titles
 * exactly as the prompt shows them (a shared title with its label). Part of a simulator for demos, tests and benchmarks.
 */
import type { ChatMessage } from '../llm/types';
import type { SimContext, SimResponder } from './types';
import { looksLikeRankPrompt, readRankPrompt } from './rankPrompt';
import { rankCandidatesSim, DEFAULT_RANK_PARAMS, type RankModelParams } from './rankModel';
import { titleOf } from '../prompts/rank';

export const RANK_RESPONDER_NAME = 'rank';

function lastUser(messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return messages[i]!.content;
  return '';
}

export function rankResponder(params: RankModelParams = DEFAULT_RANK_PARAMS): SimResponder {
  return {
    name: RANK_RESPONDER_NAME,
    matches: (messages) => looksLikeRankPrompt(lastUser(messages)),
    respond: (messages, ctx: SimContext) => {
      const reading = readRankPrompt(lastUser(messages), ctx.dataset);
      if (reading.candidates.length === 0) return 'I could not find any candidates in your list.';
      const { order } = rankCandidatesSim(ctx.dataset, reading.history, reading.candidates, reading.hint, ctx.seed, params);
      return order
        .slice(0, reading.topK)
        .map((id, i) => `${i + 1}. ${titleOf(ctx.dataset, id)}`)
        .join('\n');
    },
  };
}
