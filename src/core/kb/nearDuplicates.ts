/**
 * Near-duplicate hints (token Jaccard >= threshold) without comparing every pair: the prefix
 * filter of all-pairs similarity search (Chaudhuri et al. 2006; Bayardo et al. 2007). Order each
 * hint's tokens rarest first; two sets with Jaccard >= t must share a token within their first
 * |A| - ceil(t |A|) + 1 tokens, so only hints sharing a prefix token are compared, exactly. The
 * findings are the same as the all-pairs loop's (same best match, ties to the earliest hint);
 * on 10,000 hints the work is near-linear instead of 5·10^7 comparisons.
 */
import { jaccard } from './text';

export class NearDuplicateIndex {
  private readonly ordered: string[][];
  private readonly byToken = new Map<string, number[]>();
  /** Hints with no content tokens (Jaccard of two empty sets is 1). */
  private readonly empties: number[] = [];

  /** `tokens[j]`: the content tokens of hint j; the global token order comes from all of them. */
  constructor(
    private readonly tokens: readonly Set<string>[],
    private readonly threshold: number,
  ) {
    const df = new Map<string, number>();
    for (const t of tokens) for (const w of t) df.set(w, (df.get(w) ?? 0) + 1);
    this.ordered = tokens.map((t) => [...t].sort((a, b) => df.get(a)! - df.get(b)! || (a < b ? -1 : a > b ? 1 : 0)));
  }

  private static prefixLength(size: number, threshold: number): number {
    return size - Math.ceil(threshold * size - 1e-9) + 1;
  }

  /** Makes hint j a candidate for later hints. */
  add(j: number): void {
    const toks = this.ordered[j]!;
    if (toks.length === 0) {
      this.empties.push(j);
      return;
    }
    const p = NearDuplicateIndex.prefixLength(toks.length, this.threshold);
    for (let k = 0; k < p && k < toks.length; k++) {
      let list = this.byToken.get(toks[k]!);
      if (!list) this.byToken.set(toks[k]!, (list = []));
      list.push(j);
    }
  }

  /** The added hint most similar to hint j with similarity >= threshold (ties: the earliest), or undefined. */
  bestEarlier(j: number): { index: number; sim: number } | undefined {
    const threshold = this.threshold;
    const toks = this.ordered[j]!;
    const candidates = new Set<number>();
    if (toks.length === 0) for (const e of this.empties) candidates.add(e);
    const p = NearDuplicateIndex.prefixLength(toks.length, threshold);
    for (let k = 0; k < p && k < toks.length; k++) for (const c of this.byToken.get(toks[k]!) ?? []) candidates.add(c);
    let best: { index: number; sim: number } | undefined;
    for (const c of [...candidates].sort((a, b) => a - b)) {
      const sim = jaccard(this.tokens[j]!, this.tokens[c]!);
      if (sim >= threshold && (!best || sim > best.sim)) best = { index: c, sim };
    }
    return best;
  }
}
