/**
 * The production `HintedRank`: rankSession (prompt, cached client, parser) reduced to what the
 * evaluator keeps.
 */
import { rankSession, type RankContext } from '../rank/rankSession';
import type { CancelSignal } from '../util/log';
import type { HintedRank } from './llmRankers';

export function rankWithClient(ctx: RankContext): HintedRank {
  return async (session, hint, signal?: CancelSignal) => {
    const abort = typeof AbortSignal !== 'undefined' && signal instanceof AbortSignal ? signal : undefined;
    const r = await rankSession(ctx, session, hint.text || undefined, abort);
    const p = r.parsed;
    return {
      ranking: p.ranking.slice(0, ctx.config.prompt.topK),
      targetRank: p.targetRank,
      hintId: hint.id,
      answer: r.answer,
      stats: { lines: p.lines, matched: p.matched, hallucinated: p.hallucinated, duplicates: p.duplicates, unparsable: p.unparsable },
      cached: r.cached,
    };
  };
}
