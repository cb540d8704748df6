/**
 * The metric table as data, shared by the export formats: metric columns in a fixed order,
 * condition labels, and which cells are best. The results webview applies the same rules
 * (webview/results/model.ts, webview/shared/format.ts); keep them in step.
 */
import type { ConditionResult, Estimate, ResultsFile } from '../../protocol/results';

export const CONDITION_LABELS: Record<string, string> = {
  'no-hint': 'No hint',
  'random-hint': 'Random hint',
  'best-fixed-hint': 'Best fixed hint',
  agent: 'Agent (Re2LLM)',
  oracle: 'Oracle (upper bound)',
  popularity: 'Popularity',
  sknn: 'SKNN',
};

/** The oracle picks the best hint knowing the target: an upper bound, never marked best. */
export const UPPER_BOUNDS = new Set(['oracle']);

export function conditionLabel(condition: string): string {
  return CONDITION_LABELS[condition] ?? condition;
}

/** HR@K by K, then NDCG@K by K, then MRR, then any other metric in first-seen order. */
export function orderMetrics(names: Iterable<string>): string[] {
  const rank = (m: string) => {
    const hit = /^(HR|NDCG)@(\d+)$/.exec(m);
    if (hit) return (hit[1] === 'HR' ? 0 : 1000) + Number(hit[2]);
    return m === 'MRR' ? 2000 : 3000;
  };
  return [...new Set(names)].map((m, i) => ({ m, i })).sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i).map((x) => x.m);
}

export interface MetricTableRow {
  condition: string;
  label: string;
  hintId?: string;
  n: number;
  upperBound: boolean;
  cells: Array<{ metric: string; estimate?: Estimate; best: boolean }>;
}

export interface MetricTableData {
  metrics: string[];
  rows: MetricTableRow[];
}

export function metricTable(results: ResultsFile): MetricTableData {
  const metrics = orderMetrics(results.conditions.flatMap((c) => Object.keys(c.metrics)));
  const best = new Map<string, number>();
  for (const m of metrics) {
    const means = results.conditions.filter((c) => !UPPER_BOUNDS.has(c.condition) && c.metrics[m]).map((c) => c.metrics[m].mean);
    if (means.length) best.set(m, Math.max(...means));
  }
  const row = (c: ConditionResult): MetricTableRow => ({
    condition: c.condition,
    label: conditionLabel(c.condition),
    hintId: c.hintId,
    n: c.n,
    upperBound: UPPER_BOUNDS.has(c.condition),
    cells: metrics.map((m) => {
      const e = c.metrics[m];
      const b = best.get(m);
      return { metric: m, estimate: e, best: !!e && !UPPER_BOUNDS.has(c.condition) && b !== undefined && Math.abs(e.mean - b) < 1e-12 };
    }),
  });
  return { metrics, rows: results.conditions.map(row) };
}
