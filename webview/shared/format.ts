/**
 * Number formatting shared by the results panel, the standalone report and the charts' tooltips.
 * One place decides how many digits a metric shows, so the table, the chart and the exported
 * CSV the user copies all agree.
 */
export { conditionLabel, orderMetrics, shortConditionLabel } from '../../src/protocol/results';

/** Digits for metric means and CI bounds (metrics live in [0, 1]). */
const METRIC_DIGITS = 3;

/** A metric value, e.g. 0.234 -> "0.234"; missing -> an en dash. */
export function formatMetric(x: number | null | undefined, digits = METRIC_DIGITS): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return x.toFixed(digits);
}

/** A 95% CI as "[0.179, 0.292]". */
export function formatCi(lo: number, hi: number, digits = METRIC_DIGITS): string {
  return `[${formatMetric(lo, digits)}, ${formatMetric(hi, digits)}]`;
}

/** A signed difference, e.g. +0.048 / −0.012 (typographic minus). */
export function formatDiff(x: number, digits = METRIC_DIGITS): string {
  if (!Number.isFinite(x)) return '–';
  const s = Math.abs(x).toFixed(digits);
  if (Number(s) === 0) return s;
  return (x > 0 ? '+' : '−') + s;
}

/** A share in [0, 1] as a percentage, e.g. 0.034 -> "3.4%". */
export function formatPercent(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return `${(x * 100).toFixed(digits)}%`;
}

/** An integer count with thousands separators: 290000 -> "290,000". */
export function formatCount(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return Math.round(x).toLocaleString('en-US');
}

/** A cost in US dollars: cents precision above one dollar, four decimals below. */
export function formatCost(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return x >= 1 ? `$${x.toFixed(2)}` : `$${x.toFixed(4)}`;
}

/** A p-value: "<0.001" below the smallest shown digit. */
export function formatPValue(p: number): string {
  if (!Number.isFinite(p)) return '–';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** An ISO date as "2026-11-26 22:10 UTC" (the same in every time zone, so screenshots and tests agree). */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}


