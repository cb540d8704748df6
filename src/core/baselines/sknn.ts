/**
 * Session-based k-nearest-neighbours (SKNN; Jannach & Ludewig, RecSys 2017), the usual strong
 * non-neural baseline for session-based recommendation. Sessions are binary item sets:
 *
 *   s            = set of the test session's history items (the whole history, not the prompt's cut)
 *   t            = set of a training session's history items plus its target
 *   sim(s, t)    = |s ∩ t| / sqrt(|s| · |t|)            (cosine of the binary vectors)
 *   N_k(s)       = the k training sessions with the highest sim(s, t) > 0
 *                  (equal similarities: earlier training session first)
 *   score(c)     = Σ_{t ∈ N_k(s), c ∈ t} sim(s, t)
 *
 * Candidates are ordered by score (descending), ties by training popularity (descending, as in
 * `popularity.ts`), then by id, so a session with no neighbour degrades to the popularity ranking.
 */
import type { Session } from '../data/types';
import type { Ranker, RankOutcome } from '../rank/ranker';
import { targetRankIn } from '../rank/ranker';
import { compareIds } from './order';
import { popularityCounts } from './popularity';

export interface Neighbour {
  /** Index into the training sessions given to `fit`. */
  index: number;
  sim: number;
}

export class SknnRanker implements Ranker {
  readonly name = 'sknn';
  private sets: Set<string>[] = [];
  /** item id -> indices of the training sessions that contain it. */
  private postings = new Map<string, number[]>();
  private counts = new Map<string, number>();

  /**
   * @param k neighbours kept per session
   * @param listLength how many ranked ids to keep (the LLM's list length, so MRR is comparable)
   */
  constructor(
    private readonly k: number,
    private readonly listLength: number,
  ) {
    if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`sknn: k must be a positive integer, got ${k}`);
  }

  fit(train: readonly Session[]): void {
    this.sets = train.map((s) => new Set([...s.history, s.target]));
    this.postings = new Map();
    this.sets.forEach((set, i) => {
      for (const id of set) {
        let list = this.postings.get(id);
        if (!list) this.postings.set(id, (list = []));
        list.push(i);
      }
    });
    this.counts = popularityCounts(train);
  }

  /** The k most similar training sessions (sim > 0), most similar first. */
  neighbours(history: readonly string[]): Neighbour[] {
    const s = new Set(history);
    if (s.size === 0) return [];
    const overlap = new Map<number, number>();
    for (const id of s) for (const i of this.postings.get(id) ?? []) overlap.set(i, (overlap.get(i) ?? 0) + 1);
    const all: Neighbour[] = [];
    for (const [index, common] of overlap) all.push({ index, sim: common / Math.sqrt(s.size * this.sets[index]!.size) });
    all.sort((a, b) => b.sim - a.sim || a.index - b.index);
    return all.slice(0, this.k);
  }

  /** score(c) for every candidate (0 when no neighbour holds it). */
  scores(session: Session): Map<string, number> {
    const out = new Map<string, number>(session.candidates.map((c) => [c, 0]));
    for (const n of this.neighbours(session.history)) {
      const set = this.sets[n.index]!;
      for (const c of session.candidates) if (set.has(c)) out.set(c, out.get(c)! + n.sim);
    }
    return out;
  }

  async rank(session: Session): Promise<RankOutcome> {
    const scores = this.scores(session);
    const pop = (id: string): number => this.counts.get(id) ?? 0;
    // A candidate listed twice (a few of the authors' sessions repeat the target) is ranked once.
    const ranking = [...new Set(session.candidates)]
      .sort((a, b) => scores.get(b)! - scores.get(a)! || pop(b) - pop(a) || compareIds(a, b))
      .slice(0, this.listLength);
    return { ranking, targetRank: targetRankIn(ranking, session.target) };
  }
}
