/**
 * Measures the learning signal the simulated LLM offers on a set of sessions (used by the tests
 * and `re2llm sim-llm --signal`): base HR@10 / NDCG@10 without a hint, and what one hint per
 * attribute family ("Focus on the genre of the movies.") does: per fixed hint (the best of
 * which is the baseline a learned policy must beat); for the best family per session (an oracle
 * that knows the target); for the family with the largest hidden weight; and for the family the
 * history is most concentrated on (largest standardised lift, computed from the history's
 * attributes alone: a policy reading the session's content, as the agent's state encoder does,
 * can follow it, so this is the gain a learned agent can approach), with the mean effect of the
 * other, misdirected family hints beside it. Ranks directly through rankModel (no HTTP).
 *
 * NDCG@K with one relevant item: 1 / log2(rank + 1) when rank <= K, else 0 (rank 1-based).
 */
import type { Session, SessionDataset } from '../data/types';
import { profileOf } from './families';
import { promptedHistory } from '../prompts/history';
import { rankCandidatesSim, DEFAULT_RANK_PARAMS, type RankModelParams } from './rankModel';

export interface SignalReport {
  sessions: number;
  k: number;
  base: { hr: number; ndcg: number };
  /** Per family hint: mean HR/NDCG over all sessions, and mean NDCG gain over no hint. */
  perFamily: { family: string; hint: string; hr: number; ndcg: number; ndcgGain: number }[];
  /** Best family hint per session (max over families and no hint): mean NDCG gain. */
  oracleNdcgGain: number;
  /** Share of sessions where some family hint strictly improves NDCG@K. */
  improvableShare: number;
  /** Hint on the family with the largest hidden weight, per session: mean NDCG gain. */
  dominantFamilyNdcgGain: number;
  /** Hint on the family the history is most concentrated on (observable content only), per session: mean NDCG gain. */
  observableFamilyNdcgGain: number;
  /**
   * Hints on the other families (not the one the history is most concentrated on), per session:
   * mean NDCG gain. Should be about zero or slightly negative: misdirected hints do not help.
   */
  misdirectedNdcgGain: number;
  /** The best single fixed family hint: its family and mean NDCG gain (the baseline a learned policy must beat). */
  bestFixed: { family: string; ndcgGain: number };
  /** Share of sessions whose most concentrated family is each family (by name). */
  observableShare: Record<string, number>;
}

/** Index of the family the history is most concentrated on (ties: the first in profile order). */
function observableFamily(distinct: number[]): number {
  let best = 0;
  for (let f = 1; f < distinct.length; f++) if (distinct[f]! > distinct[best]!) best = f;
  return best;
}

function familyHint(keyword: string, items: string): string {
  return `Focus on the ${keyword} of the ${items} I liked before.`;
}

function ndcgAt(order: string[], target: string, k: number): number {
  const r = order.indexOf(target);
  return r >= 0 && r < k ? 1 / Math.log2(r + 2) : 0;
}

export function measureSignal(
  dataset: SessionDataset,
  sessions: Session[],
  opts: { seed: number; k?: number; historyLimit?: number; params?: RankModelParams; itemsWord?: string } = { seed: 0 },
): SignalReport {
  const k = opts.k ?? 10;
  const limit = opts.historyLimit ?? 50;
  const params = opts.params ?? DEFAULT_RANK_PARAMS;
  const profile = profileOf(dataset);
  const hints = profile.families.map((f) => familyHint(f.keywords.find((w) => w !== f.name && !w.endsWith('s')) ?? f.keywords[0]!, opts.itemsWord ?? dataset.domain.items));
  let baseHr = 0;
  let baseNdcg = 0;
  const famHr = hints.map(() => 0);
  const famNdcg = hints.map(() => 0);
  let oracle = 0;
  let improvable = 0;
  let dominant = 0;
  let observable = 0;
  let misdirected = 0;
  let misdirectedN = 0;
  const obsCount = hints.map(() => 0);
  for (const s of sessions) {
    const history = promptedHistory(s, limit);
    const base = rankCandidatesSim(dataset, history, s.candidates, undefined, opts.seed, params);
    const b = ndcgAt(base.order, s.target, k);
    baseNdcg += b;
    if (b > 0) baseHr++;
    let best = b;
    const perFam = hints.map((h, f) => {
      const r = rankCandidatesSim(dataset, history, s.candidates, h, opts.seed, params);
      const n = ndcgAt(r.order, s.target, k);
      famNdcg[f]! += n;
      if (n > 0) famHr[f]!++;
      if (n > best) best = n;
      return n;
    });
    oracle += best - b;
    if (best > b) improvable++;
    const hidden = base.model.hidden;
    const dom = hidden.indexOf(Math.max(...hidden));
    dominant += perFam[dom]! - b;
    const obs = observableFamily(base.model.distinct);
    observable += perFam[obs]! - b;
    obsCount[obs]!++;
    perFam.forEach((x, f) => {
      if (f === obs) return;
      misdirected += x - b;
      misdirectedN++;
    });
  }
  const n = Math.max(1, sessions.length);
  const gains = famNdcg.map((x) => (x - baseNdcg) / n);
  const bestF = gains.indexOf(Math.max(...gains));
  return {
    sessions: sessions.length,
    k,
    base: { hr: baseHr / n, ndcg: baseNdcg / n },
    perFamily: hints.map((hint, f) => ({
      family: profile.families[f]!.name,
      hint,
      hr: famHr[f]! / n,
      ndcg: famNdcg[f]! / n,
      ndcgGain: gains[f]!,
    })),
    oracleNdcgGain: oracle / n,
    improvableShare: improvable / n,
    dominantFamilyNdcgGain: dominant / n,
    observableFamilyNdcgGain: observable / n,
    misdirectedNdcgGain: misdirectedN ? misdirected / misdirectedN : 0,
    bestFixed: { family: profile.families[bestF]!.name, ndcgGain: gains[bestF]! },
    observableShare: Object.fromEntries(profile.families.map((f, i) => [f.name, obsCount[i]! / n])),
  };
}
