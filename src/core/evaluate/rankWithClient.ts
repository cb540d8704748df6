/**
 * The production `HintedRank`: rankSession (prompt, cached client, parser) reduced to what the
 * evaluator keeps. A request that failed for good becomes a failed outcome: no ranking, so it
 * scores as "target not found" in whichever condition asked (the same rule for all of them keeps
 * the comparisons paired), and it is counted as a failure. Nothing is cached, so a rerun asks
 * exactly the failed requests again.
 */
import { isRecordableFailure } from '../llm/client';
import { rankSession, type RankContext } from '../rank/rankSession';
import type { CancelSignal } from '../util/log';
import type { HintedRank } from './llmRankers';

export function rankWithClient(ctx: RankContext): HintedRank {
  return async (session, hint, signal?: CancelSignal) => {
    const abort = typeof AbortSignal !== 'undefined' && signal instanceof AbortSignal ? signal : undefined;
    let r;
    try {
      r = await rankSession(ctx, session, hint.text || undefined, abort);
    } catch (err) {
      if (!isRecordableFailure(err)) throw err;
      return { ranking: [], targetRank: null, hintId: hint.id, answer: '', cached: false, failure: { kind: err.kind, message: err.message } };
    }
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
