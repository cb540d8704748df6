/**
 * Ranking metrics for one relevant item (the session's target), as pure functions of the
 * target's 1-based rank in the model's list (`null`: not in the top K the answer was parsed to).
 * The registry maps a metric name ("HR@5", "NDCG@10", "MRR") to its function; every scorer
 * (reflection's effectiveness check, the agent's reward, the evaluator, `re2llm score`) uses
 * these and nothing else.
 *
 * To add a metric: write the function with its formula in the doc comment, add a family to
 * METRIC_FAMILIES, and a hand-computed case to test/core/metrics/rankMetrics.test.ts.
 */

/** A 1-based rank, or null when the target is absent. */
export type Rank = number | null;

/** HR@K = 1 if rank <= K else 0. */
export function hitAtK(rank: Rank, k: number): number {
  return rank !== null && rank >= 1 && rank <= k ? 1 : 0;
}

/** NDCG@K with one relevant item = 1 / log2(rank + 1) if rank <= K else 0 (the ideal DCG is 1). */
export function ndcgAtK(rank: Rank, k: number): number {
  return hitAtK(rank, k) ? 1 / Math.log2(rank! + 1) : 0;
}

/**
 * The rank used to compare two answers: a target missing from the top k counts as rank k + 1,
 * so "absent" is worse than any listed rank and two absences tie.
 */
export function rankOrBeyond(rank: Rank, k: number): number {
  return rank === null || rank > k ? k + 1 : rank;
}

/**
 * RR = 1 / rank, or 0 when absent. Ranks come from lists cut at the prompt's top K, so the
 * mean (MRR) is MRR@topK.
 */
export function reciprocalRank(rank: Rank): number {
  return rank !== null && rank >= 1 ? 1 / rank : 0;
}

export type MetricFn = (rank: Rank) => number;

/** Metric families: a name prefix and how to build the function for a cut-off (if it takes one). */
const METRIC_FAMILIES: Record<string, { atK: boolean; make: (k: number) => MetricFn }> = {
  HR: { atK: true, make: (k) => (r) => hitAtK(r, k) },
  NDCG: { atK: true, make: (k) => (r) => ndcgAtK(r, k) },
  MRR: { atK: false, make: () => reciprocalRank },
};

/** ['HR@1', ..., 'HR@kn', 'NDCG@1', ..., 'NDCG@kn', 'MRR'] for the given cut-offs. */
export function metricNames(ks: number[]): string[] {
  const names: string[] = [];
  for (const [family, spec] of Object.entries(METRIC_FAMILIES)) {
    if (spec.atK) for (const k of ks) names.push(`${family}@${k}`);
    else names.push(family);
  }
  return names;
}

/** The per-session function for a metric name such as "NDCG@10" or "MRR". */
export function metricFn(name: string): MetricFn {
  const m = /^([A-Za-z]+)(?:@(\d+))?$/.exec(name);
  const spec = m ? METRIC_FAMILIES[m[1]!] : undefined;
  if (!m || !spec || spec.atK !== (m[2] !== undefined)) {
    throw new RangeError(`unknown metric "${name}" (known: ${metricNames([10]).join(', ').replace(/@10/g, '@K')})`);
  }
  return spec.make(Number(m[2] ?? 0));
}

/** Per-session values of one metric. */
export function metricValues(ranks: Rank[], name: string): number[] {
  const fn = metricFn(name);
  return ranks.map((r) => fn(r));
}

/** Mean of each metric over the sessions; NaN for every metric when there are no sessions. */
export function computeMetrics(ranks: Rank[], ks: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of metricNames(ks)) out[name] = mean(metricValues(ranks, name));
  return out;
}

export function mean(values: number[]): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}
