/**
 * Near-duplicate hints (token Jaccard >= threshold) without comparing every pair: the prefix
 * filter of all-pairs similarity search (Chaudhuri et al. 2006; Bayardo et al. 2007). Tokens get
 * integer ids, rarest first; two sets with Jaccard >= t must share a token within their first
 * |A| - ceil(t |A|) + 1 ids, so only hints sharing a prefix token are compared, and only when
 * their sizes allow t (t |A| <= |B| <= |A| / t). The overlap is then counted exactly by merging
 * the sorted ids. The findings are the same as the all-pairs loop's (same best match, ties to the
 * earliest hint); on 10,000 hints with real vocabularies most pairs are never looked at.
 */

export class NearDuplicateIndex {
  /** Per hint: its token ids, ascending (= rarest first). */
  private readonly ids: Int32Array[];
  private readonly byToken: number[][];
  /** Hints with no content tokens (Jaccard of two empty sets is 1). */
  private readonly empties: number[] = [];
  private readonly stamp: Int32Array;

  /** `tokens[j]`: the content tokens of hint j; the global token order comes from all of them. */
  constructor(
    tokens: readonly Set<string>[],
    private readonly threshold: number,
  ) {
    const df = new Map<string, number>();
    for (const t of tokens) for (const w of t) df.set(w, (df.get(w) ?? 0) + 1);
    const order = [...df.keys()].sort((a, b) => df.get(a)! - df.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
    const idOf = new Map(order.map((w, i) => [w, i]));
    this.ids = tokens.map((t) => Int32Array.from([...t].map((w) => idOf.get(w)!)).sort());
    this.byToken = order.map(() => []);
    this.stamp = new Int32Array(tokens.length).fill(-1);
  }

  private prefixLength(size: number): number {
    return size - Math.ceil(this.threshold * size - 1e-9) + 1;
  }

  /** Makes hint j a candidate for later hints. */
  add(j: number): void {
    const toks = this.ids[j]!;
    if (toks.length === 0) {
      this.empties.push(j);
      return;
    }
    const p = Math.min(this.prefixLength(toks.length), toks.length);
    for (let k = 0; k < p; k++) this.byToken[toks[k]!]!.push(j);
  }

  /** The added hint most similar to hint j with similarity >= threshold (ties: the earliest), or undefined. */
  bestEarlier(j: number): { index: number; sim: number } | undefined {
    const a = this.ids[j]!;
    if (a.length === 0) return this.empties.length ? { index: this.empties[0]!, sim: 1 } : undefined;
    const t = this.threshold;
    const lo = t * a.length - 1e-9;
    const hi = a.length / t + 1e-9;
    let best: { index: number; sim: number } | undefined;
    const p = Math.min(this.prefixLength(a.length), a.length);
    for (let k = 0; k < p; k++) {
      for (const c of this.byToken[a[k]!]!) {
        if (this.stamp[c] === j) continue;
        this.stamp[c] = j;
        const b = this.ids[c]!;
        if (b.length < lo || b.length > hi) continue;
        const sim = jaccardSorted(a, b);
        if (sim >= t && (!best || sim > best.sim || (sim === best.sim && c < best.index))) best = { index: c, sim };
      }
    }
    return best;
  }
}

/** |A ∩ B| / |A ∪ B| of two ascending id arrays, by merging. */
function jaccardSorted(a: Int32Array, b: Int32Array): number {
  let i = 0;
  let k = 0;
  let inter = 0;
  while (i < a.length && k < b.length) {
    const x = a[i]!;
    const y = b[k]!;
    if (x === y) {
      inter++;
      i++;
      k++;
    } else if (x < y) i++;
    else k++;
  }
  return inter / (a.length + b.length - inter);
}
