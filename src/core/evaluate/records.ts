/**
 * What the evaluator keeps per (session, condition): one line of `predictions.jsonl`, enough to
 * trace every number in results.json back to an answer.
 */
import type { UsageStats } from '../llm/types';
import { roundCost } from '../llm/prices';
import type { AnswerFailure, AnswerStats } from '../rank/ranker';

export interface PredictionRecord {
  sessionId: string;
  condition: string;
  /** Target item id. */
  target: string;
  /** LLM conditions: the hint used ("none" for action 0). */
  hintId?: string;
  /** LLM conditions: the raw answer. */
  answer?: string;
  /** Ranked candidate ids as scored (top K). */
  ranking: string[];
  /** 1-based rank of the target in `ranking`, or null. */
  targetRank: number | null;
  stats?: AnswerStats;
  cached?: boolean;
  /** Oracle: NDCG@topK per hint tried. */
  tried?: Record<string, number>;
  /**
   * random-hint as an exact expectation: the target's rank under every enabled hint (KB order).
   * The session's metric values are the mean over these (a uniform draw's expected value);
   * `targetRank`/`answer` stay those of one seeded draw, for the per-session table.
   */
  expectedOver?: Array<number | null>;
  /** The request failed for good: no answer, scored as "target not found". */
  failure?: AnswerFailure;
}

/** Calls, tokens and cost one condition spent (a difference of two `client.usage()` readings). */
export interface UsageDelta {
  calls: number;
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

export function zeroUsage(): UsageDelta {
  return { calls: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, cost: 0 };
}

export function usageDiff(after: UsageStats, before: UsageStats): UsageDelta {
  return {
    calls: after.calls - before.calls,
    cacheHits: after.cacheHits - before.cacheHits,
    promptTokens: after.promptTokens - before.promptTokens,
    completionTokens: after.completionTokens - before.completionTokens,
    // Rounded to 1e-9 so that float noise from the subtraction does not show up in tables.
    cost: roundCost(after.cost - before.cost),
  };
}

/** All the sessions of one condition, in the order of the evaluated session list. */
export interface ConditionRun {
  condition: string;
  records: PredictionRecord[];
  usage: UsageDelta;
  /** best-fixed-hint: the hint chosen on validation. */
  hintId?: string;
}
