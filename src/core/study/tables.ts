/**
 * Every table of a study, as plain rows: the aggregated table (group × condition, mean ± sd over
 * seeds with the t-interval), the comparisons (paired differences with their bootstrap interval)
 * and one table per figure (the heatmap's matrix, the curves' points). CSV keeps full precision
 * with one column per number; LaTeX shows mean ± sd.
 */
import { axisValueLabel as axisValue, figureValue, type SeedEstimate, type StudyFigure, type StudyResults } from '../../protocol/study';
import { conditionLabel } from '../../protocol/results';
import { formatAxes } from './grid';

export interface StudyTable {
  /** File stem: "groups", "comparisons", "figure-1-heatmap". */
  id: string;
  caption: string;
  csv: Array<Array<string | number | null>>;
  latex: { header: string[]; rows: string[][]; align: string };
}

const fixed = (x: number, digits = 3): string => {
  const s = x.toFixed(digits);
  return Number(s) === 0 ? (0).toFixed(digits) : s;
};

export function formatEstimate(e: SeedEstimate | undefined): string {
  if (!e || !Number.isFinite(e.mean)) return '--';
  return e.sd === null ? fixed(e.mean) : `${fixed(e.mean)} ± ${fixed(e.sd)}`;
}


export function groupsTable(r: StudyResults): StudyTable {
  const axes = Object.keys(r.axes);
  const header = [...axes, 'variant', 'condition', 'seeds', ...r.metrics.flatMap((m) => [m, `${m}_sd`, `${m}_ci_low`, `${m}_ci_high`])];
  const csv: StudyTable['csv'] = [header];
  const latexRows: string[][] = [];
  for (const g of r.groups) {
    for (const condition of r.conditions) {
      const row = g.metrics[condition];
      if (!row) continue;
      const n = Math.max(0, ...Object.values(row).map((e) => e.n));
      csv.push([...axes.map((a) => axisValue(g.axes[a])), g.variant, condition, n,
        ...r.metrics.flatMap((m) => { const e = row[m]; return e ? [e.mean, e.sd, e.ciLow, e.ciHigh] : [null, null, null, null]; })]);
      latexRows.push([...axes.map((a) => axisValue(g.axes[a])), ...(r.variants.length > 1 ? [g.variant] : []), conditionLabel(condition), ...r.metrics.map((m) => formatEstimate(row[m]))]);
    }
  }
  const seeds = r.seeds.values.length;
  return {
    id: 'groups',
    caption: `${r.name}: mean ${seeds > 1 ? `$\\pm$ sd over ${seeds} seeds (${r.seeds.vary.join(', ')}); 95\\% t-intervals in the CSV` : 'of one run'}.`,
    csv,
    latex: {
      header: [...axes, ...(r.variants.length > 1 ? ['Variant'] : []), 'Condition', ...r.metrics],
      rows: latexRows,
      align: `${'l'.repeat(axes.length + (r.variants.length > 1 ? 1 : 0) + 1)}${'c'.repeat(r.metrics.length)}`,
    },
  };
}

export function comparisonsTable(r: StudyResults): StudyTable {
  const axes = Object.keys(r.axes);
  const csv: StudyTable['csv'] = [['comparison', ...axes, 'metric', 'diff', 'ci_low', 'ci_high', 'n', 'seeds']];
  const rows: string[][] = [];
  for (const c of r.comparisons) {
    csv.push([c.name, ...axes.map((a) => axisValue(c.axes[a])), c.metric, c.diff, c.ciLow, c.ciHigh, c.n, c.seeds]);
    rows.push([c.name, ...axes.map((a) => axisValue(c.axes[a])), c.metric, fixed(c.diff), `[${fixed(c.ciLow)}, ${fixed(c.ciHigh)}]`, String(c.n)]);
  }
  return {
    id: 'comparisons',
    caption: `${r.name}: paired differences; ${r.methods.comparison}.`,
    csv,
    latex: { header: ['Comparison', ...axes, 'Metric', 'Difference', '95\\% CI', 'n'], rows, align: `l${'l'.repeat(axes.length)}lccc` },
  };
}

export function figureTable(r: StudyResults, f: StudyFigure, i: number): StudyTable {
  const metric = f.metric ?? r.metrics[0]!;
  if (f.kind === 'heatmap') {
    const xs = r.axes[f.x] ?? [];
    const ys = r.axes[f.y] ?? [];
    const csv: StudyTable['csv'] = [[`${f.y} \\ ${f.x}`, ...xs.map(axisValue)]];
    const rows: string[][] = [];
    for (const y of ys) {
      const cells = xs.map((x) => figureValue(r, { [f.x]: x, [f.y]: y }, f.condition, f.variant, metric));
      csv.push([axisValue(y), ...cells.map((e) => e?.mean ?? null)]);
      rows.push([axisValue(y), ...cells.map(formatEstimate)]);
    }
    return {
      id: `figure-${i + 1}-heatmap`,
      caption: `${f.title ?? r.name}: ${metric} of ${conditionLabel(f.condition)} by ${f.y} (rows) and ${f.x} (columns); mean ${r.seeds.values.length > 1 ? '$\\pm$ sd over seeds' : ''}.`,
      csv,
      latex: { header: [`${f.y} / ${f.x}`, ...xs.map(axisValue)], rows, align: `l${'c'.repeat(xs.length)}` },
    };
  }
  const xs = r.axes[f.x] ?? [];
  const labels = f.lines.map((l) => l.label ?? `${conditionLabel(l.condition)}${l.variant ? ` (${l.variant})` : ''}`);
  const csv: StudyTable['csv'] = [[f.x, ...labels.flatMap((l) => [l, `${l}_sd`])]];
  const rows: string[][] = [];
  for (const x of xs) {
    const cells = f.lines.map((l) => figureValue(r, { [f.x]: x }, l.condition, l.variant, metric));
    csv.push([axisValue(x), ...cells.flatMap((e) => [e?.mean ?? null, e?.sd ?? null])]);
    rows.push([axisValue(x), ...cells.map(formatEstimate)]);
  }
  return {
    id: `figure-${i + 1}-curves`,
    caption: `${f.title ?? r.name}: ${metric} by ${f.x}.`,
    csv,
    latex: { header: [f.x, ...labels], rows, align: `l${'c'.repeat(labels.length)}` },
  };
}

export function studyTables(r: StudyResults): StudyTable[] {
  return [groupsTable(r), ...(r.comparisons.length ? [comparisonsTable(r)] : []), ...r.figures.map((f, i) => figureTable(r, f, i))];
}

export { formatAxes };
