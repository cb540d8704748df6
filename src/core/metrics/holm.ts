/**
 * Holm-Bonferroni adjustment for a family of m tests (Holm 1979): sort the p-values ascending,
 * p_(i) becomes max over j <= i of min(1, (m - j + 1) * p_(j)). Rejecting where the adjusted value
 * is below alpha controls the family-wise error rate at alpha, and is never more conservative than
 * plain Bonferroni. An evaluation runs one test per (condition pair, metric), so reading raw
 * p-values would find "significant" differences by chance.
 *
 * Worked example: p = [0.01, 0.04, 0.03] (m = 3) -> sorted 0.01, 0.03, 0.04 -> 3*0.01 = 0.03,
 * 2*0.03 = 0.06, 1*0.04 = 0.04 -> running max 0.03, 0.06, 0.06 -> in input order [0.03, 0.06, 0.06].
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}
