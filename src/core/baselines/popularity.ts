/**
 * Popularity baseline: ranks a session's candidates by how often each item occurs in the training
 * split, counting every history item and the target of every training session (one count per
 * occurrence, so an item seen twice in one history counts twice). Ties: item id order
 * (`compareIds`). No LLM, no personalisation: the floor any recommender should clear.
 */
import type { Session } from '../data/types';
import type { Ranker, RankOutcome } from '../rank/ranker';
import { targetRankIn } from '../rank/ranker';
import { compareIds } from './order';

export function popularityCounts(train: readonly Session[]): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (id: string): void => {
    counts.set(id, (counts.get(id) ?? 0) + 1);
  };
  for (const s of train) {
    for (const id of s.history) add(id);
    add(s.target);
  }
  return counts;
}

/**
 * Candidates ordered by count (descending), then id. Returns a new array; a candidate listed twice
 * (a few of the authors' sessions repeat the target) appears once.
 */
export function rankByPopularity(candidates: readonly string[], counts: ReadonlyMap<string, number>): string[] {
  return [...new Set(candidates)].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || compareIds(a, b));
}

export class PopularityRanker implements Ranker {
  readonly name = 'popularity';
  private counts = new Map<string, number>();

  /** @param listLength how many ranked ids to keep (the LLM's list length, so MRR is comparable). */
  constructor(private readonly listLength: number) {}

  fit(train: readonly Session[]): void {
    this.counts = popularityCounts(train);
  }

  /** Training count of an item (0 if never seen); sknn uses it to break ties. */
  count(id: string): number {
    return this.counts.get(id) ?? 0;
  }

  async rank(session: Session): Promise<RankOutcome> {
    const ranking = rankByPopularity(session.candidates, this.counts).slice(0, this.listLength);
    return { ranking, targetRank: targetRankIn(ranking, session.target) };
  }
}
