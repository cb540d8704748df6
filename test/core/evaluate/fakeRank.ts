/**
 * A scripted `HintedRank` for tests: the target's rank per (session, hint) comes from a table
 * (default: absent), so every metric can be computed by hand. Records the calls it gets.
 */
import type { Session } from '../../../src/core/data/types';
import type { ActionHint } from '../../../src/core/kb/types';
import type { HintedRank } from '../../../src/core/evaluate/llmRankers';
import type { AnswerStats } from '../../../src/core/rank/ranker';

export type RankTable = Record<string, Record<string, number | null>>;

export function fakeRank(table: RankTable, stats?: (s: Session, h: ActionHint) => Partial<AnswerStats>): HintedRank & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (session: Session, hint: ActionHint) => {
    calls.push(`${session.id}/${hint.id}`);
    const rank = table[session.id]?.[hint.id] ?? null;
    const others = session.candidates.filter((c) => c !== session.target);
    const ranking = rank === null ? others.slice() : [...others.slice(0, rank - 1), session.target, ...others.slice(rank - 1)];
    return {
      ranking,
      targetRank: rank,
      hintId: hint.id,
      answer: ranking.map((id, i) => `${i + 1}. item ${id}`).join('\n'),
      stats: { lines: ranking.length, matched: ranking.length, hallucinated: 0, duplicates: 0, unparsable: false, ...stats?.(session, hint) },
      cached: false,
    };
  };
  return Object.assign(fn, { calls });
}
