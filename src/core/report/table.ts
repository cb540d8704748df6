/**
 * The metric table as data, shared by the export formats: metric columns in a fixed order,
 * condition labels, and which cells are best. Labels, metric order and upper bounds live in
 * src/protocol/results.ts so the results webview applies exactly the same rules.
 */
import { conditionLabel, orderMetrics, UPPER_BOUNDS, type ConditionResult, type Estimate, type ResultsFile } from '../../protocol/results';

export { orderMetrics };

interface MetricTableRow {
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
    const means = results.conditions.filter((c) => !UPPER_BOUNDS.has(c.condition)).flatMap((c) => (c.metrics[m] ? [c.metrics[m].mean] : []));
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
