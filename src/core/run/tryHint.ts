/**
 * "Try this hint": one hint on the first `n` validation sessions, with and without it, scored as
 * the agent's reward is (NDCG@topK with the hint minus without) and as rank moves. The extension's
 * code lens calls it; any other front end can.
 */
import type { SessionDataset } from '../data/types';
import type { Re2llmConfig } from '../config/defaults';
import type { LlmClient, UsageStats } from '../llm/types';
import { rankSession } from '../rank/rankSession';
import { rankOrBeyond } from '../metrics/rankMetrics';

export interface TryHintInput {
  dataset: SessionDataset;
  client: LlmClient;
  config: Re2llmConfig;
  hintText: string;
  /** How many validation sessions (the first n). */
  sessions: number;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number; usage: UsageStats }) => void;
}

export interface TryHintResult {
  sessions: number;
  /** Sessions whose target rank improved with the hint / got worse. */
  improved: number;
  worsened: number;
  /** Mean NDCG@topK with minus without. */
  meanReward: number;
}

export async function tryHint(input: TryHintInput): Promise<TryHintResult> {
  const { dataset, client, config, hintText, signal } = input;
  const ctx = { dataset, client, config };
  const sessions = dataset.splits.validation.slice(0, input.sessions);
  if (!sessions.length) throw new Error(`${dataset.name} has no validation sessions`);
  const k = config.prompt.topK;
  let improved = 0;
  let worsened = 0;
  let sum = 0;
  for (const [i, s] of sessions.entries()) {
    const base = await rankSession(ctx, s, undefined, signal);
    const withHint = await rankSession(ctx, s, hintText, signal);
    const after = rankOrBeyond(withHint.parsed.targetRank, k);
    const before = rankOrBeyond(base.parsed.targetRank, k);
    if (after < before) improved++;
    else if (after > before) worsened++;
    sum += withHint.ndcg - base.ndcg;
    input.onProgress?.({ done: i + 1, total: sessions.length, usage: client.usage() });
  }
  return { sessions: sessions.length, improved, worsened, meanReward: sum / sessions.length };
}
