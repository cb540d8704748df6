/**
 * One interface for everything that ranks a session's candidates (style.md, practice 9): the LLM
 * conditions (no hint, a random, fixed, agent-picked or oracle hint) and the conventional
 * baselines (popularity, sknn). The evaluator only ever sees `fit` and `rank`.
 */
import type { Session } from '../data/types';
import type { CancelSignal } from '../util/log';
import type { ConditionId } from '../../protocol/conditions';

/** Parse statistics of one LLM answer (see ParsedAnswer in src/core/parse/rankedAnswer.ts). */
export interface AnswerStats {
  /** List lines seen (= matched + hallucinated). */
  lines: number;
  matched: number;
  /** Lines naming no candidate. */
  hallucinated: number;
  /** Lines repeating an already-listed candidate. */
  duplicates: number;
  /** No list found in the answer at all. */
  unparsable: boolean;
}

export interface RankOutcome {
  /** Ranked candidate ids, best first (an LLM's parsed top K; a baseline's top K). */
  ranking: string[];
  /** 1-based rank of the target in `ranking`, or null when absent. */
  targetRank: number | null;
  /** LLM conditions: the hint used ("none" for action 0). */
  hintId?: string;
  /** LLM conditions: the raw answer text. */
  answer?: string;
  /** LLM conditions: parse statistics of the answer. */
  stats?: AnswerStats;
  /** LLM conditions: served from the response cache. */
  cached?: boolean;
  /** Oracle: NDCG@topK of every hint tried, by hint id (the evidence for its pick). */
  tried?: Record<string, number>;
  /** LLM conditions: the request failed for good (scored as "target not found", counted as a failure). */
  failure?: AnswerFailure;
}

/** A request that failed for good, recorded instead of an answer (a rerun asks it again). */
export interface AnswerFailure {
  /** "HTTP 500", "timeout", "malformed response", ... */
  kind: string;
  message: string;
}

export interface Ranker {
  /** Condition id as it appears in results.json ("no-hint", "sknn", ...; src/protocol/conditions.ts). */
  readonly name: ConditionId;
  /** Learns from the training sessions (a no-op for rankers that need nothing). */
  fit(train: readonly Session[], signal?: CancelSignal): Promise<void> | void;
  rank(session: Session, signal?: CancelSignal): Promise<RankOutcome>;
}

/** 1-based position of `target` in `ranking`, or null. */
export function targetRankIn(ranking: readonly string[], target: string): number | null {
  const i = ranking.indexOf(target);
  return i < 0 ? null : i + 1;
}
