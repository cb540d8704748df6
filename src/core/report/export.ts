/**
 * `re2llm export`: the metric table as CSV (RFC 4180), a LaTeX booktabs table a paper can
 * \input, or JSON. Pure functions from a ResultsFile to a string.
 */
import { deltaVsNoHint, MARGINAL_CI_NOTE, type PairedComparison, type ResultsFile } from '../../protocol/results';
import { metricTable } from './table';

export type ExportFormat = 'csv' | 'latex' | 'json';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'latex', 'json'];

export interface ExportOptions {
  /** LaTeX: how to show the 95% CI: `pm` = mean ± half-width, `interval` = mean [lo, hi], `none`. */
  ci?: 'pm' | 'interval' | 'none';
  /** LaTeX: decimals (default 3). CSV and JSON keep full precision. */
  digits?: number;
  /** LaTeX: \label{...} (default tab:re2llm-results). */
  label?: string;
}

// ---- CSV ----------------------------------------------------------------------------------------

/** One CSV field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows to CSV text with CRLF line ends (RFC 4180; spreadsheets everywhere read it). */
export function toCsv(rows: Array<Array<string | number | null | undefined>>): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The metric of the Δ vs no-hint column, and each condition's paired comparison (schema 2 files only). */
function deltas(results: ResultsFile): { metric: string; of: (condition: string) => PairedComparison | undefined } | undefined {
  const metric = results.statistics?.primaryMetric ?? (results.ks.includes(10) ? 'NDCG@10' : `NDCG@${Math.max(...results.ks)}`);
  const of = (condition: string): PairedComparison | undefined => {
    const d = deltaVsNoHint(results, condition, metric);
    return d && d.ciLow !== undefined ? d : undefined;
  };
  return results.conditions.some((c) => of(c.condition)) ? { metric, of } : undefined;
}

export function metricTableCsv(results: ResultsFile): string {
  const t = metricTable(results);
  const dl = deltas(results);
  const dh = dl ? [`delta_${dl.metric}_vs_no_hint`, 'delta_ci_low', 'delta_ci_high', 'delta_p', 'delta_p_holm', 'delta_family'] : [];
  const header = ['condition', 'hint_id', 'n', ...t.metrics.flatMap((m) => [m, `${m}_ci_low`, `${m}_ci_high`]), ...dh];
  return toCsv([
    header,
    ...t.rows.map((r) => {
      const d = dl?.of(r.condition);
      const dcells: Array<string | number> = dl ? (d ? [d.diff, d.ciLow!, d.ciHigh!, d.pValue, d.pHolm ?? '', d.family ?? ''] : ['', '', '', '', '', '']) : [];
      return [r.condition, r.hintId ?? '', r.n, ...r.cells.flatMap((c): Array<string | number> => (c.estimate ? [c.estimate.mean, c.estimate.ciLow, c.estimate.ciHigh] : ['', '', ''])), ...dcells];
    }),
  ]);
}

// ---- LaTeX --------------------------------------------------------------------------------------

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '%': '\\%',
  _: '\\_',
  '&': '\\&',
  '#': '\\#',
  $: '\\$',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};

/** Escapes text for LaTeX (the ten characters with a special meaning). */
export function latexEscape(s: string): string {
  return s.replace(/[\\%_&#${}~^]/g, (c) => LATEX_SPECIALS[c] ?? c);
}

function fixed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  return Number(s) === 0 ? (0).toFixed(digits) : s; // no "-0.000"
}

export function metricTableLatex(results: ResultsFile, opts: ExportOptions = {}): string {
  const t = metricTable(results);
  const digits = opts.digits ?? 3;
  const ci = opts.ci ?? 'pm';
  const cell = (c: (typeof t.rows)[number]['cells'][number]): string => {
    if (!c.estimate) return '--';
    const e = c.estimate;
    const mean = c.best ? `\\textbf{${fixed(e.mean, digits)}}` : fixed(e.mean, digits);
    if (ci === 'none') return mean;
    if (ci === 'interval') return `${mean} {\\scriptsize [${fixed(e.ciLow, digits)}, ${fixed(e.ciHigh, digits)}]}`;
    return `${mean} {\\scriptsize $\\pm$ ${fixed((e.ciHigh - e.ciLow) / 2, digits)}}`;
  };
  const dl = deltas(results);
  const deltaCell = (condition: string): string => {
    const d = dl?.of(condition);
    if (!d) return condition === 'no-hint' ? '(ref.)' : '--';
    const sgn = (x: number): string => (x >= 0 ? '+' : '$-$') + fixed(Math.abs(x), digits);
    const p = d.family === 'primary' && d.pHolm !== undefined ? d.pHolm : d.pValue;
    const pText = p < 0.001 ? '$<$0.001' : p.toFixed(3);
    return `${sgn(d.diff)} {\\scriptsize [${sgn(d.ciLow!)}, ${sgn(d.ciHigh!)}], $p$ ${pText}${d.family === 'primary' ? '$^{\\dagger}$' : ''}}`;
  };
  const line = (r: (typeof t.rows)[number]) => `${latexEscape(r.label)} & ${r.cells.map(cell).join(' & ')}${dl ? ` & ${deltaCell(r.condition)}` : ''} \\\\`;
  const main = t.rows.filter((r) => !r.upperBound);
  const upper = t.rows.filter((r) => r.upperBound);
  const n = Math.max(0, ...t.rows.map((r) => r.n));
  const run = results.run;
  const ciText = ci === 'pm' ? ' $\\pm$ half-width of the bootstrap 95\\% confidence interval;' : ci === 'interval' ? ' bootstrap 95\\% confidence interval in brackets;' : '';
  const deltaText = dl
    ? ` $\\Delta$: mean per-session difference in ${latexEscape(dl.metric)} from no hint, paired bootstrap 95\\% CI and sign-flip $p$ (${'$^{\\dagger}$'} primary family, Holm-adjusted; otherwise unadjusted). Marginal intervals are not a test of a difference.`
    : '';
  const caption = `Ranking quality on ${latexEscape(run.dataset.name)} with ${latexEscape(run.llm.model)}: mean over ${n} test sessions;${ciText} best in bold${upper.length ? ' (upper bounds excluded)' : ''}.${deltaText}`;
  return [
    `% Re2LLM Studio ${latexEscape(run.packageVersion)}, run ${latexEscape(run.id)}. Needs \\usepackage{booktabs}.`,
    '\\begin{table}[t]',
    '\\centering',
    `\\caption{${caption}}`,
    `\\label{${opts.label ?? 'tab:re2llm-results'}}`,
    `\\begin{tabular}{l${'c'.repeat(t.metrics.length + (dl ? 1 : 0))}}`,
    '\\toprule',
    `Condition & ${t.metrics.map(latexEscape).join(' & ')}${dl ? ` & $\\Delta$ ${latexEscape(dl.metric)} vs no hint` : ''} \\\\`,
    '\\midrule',
    ...main.map(line),
    ...(upper.length ? ['\\midrule', ...upper.map(line)] : []),
    '\\bottomrule',
    '\\end{tabular}',
    '\\end{table}',
    '',
  ].join('\n');
}

// ---- JSON ---------------------------------------------------------------------------------------

export function metricTableJson(results: ResultsFile): string {
  const t = metricTable(results);
  const run = results.run;
  return JSON.stringify({
    run: { id: run.id, name: run.name ?? null, createdAt: run.createdAt, dataset: run.dataset, model: run.llm.model },
    ks: results.ks,
    metrics: t.metrics,
    conditions: t.rows.map((r) => ({
      condition: r.condition,
      ...(r.hintId ? { hintId: r.hintId } : {}),
      n: r.n,
      upperBound: r.upperBound,
      metrics: Object.fromEntries(r.cells.filter((c) => c.estimate).map((c) => [c.metric, { ...c.estimate, best: c.best }])),
      ...(deltas(results)?.of(r.condition) ? { deltaVsNoHint: deltas(results)!.of(r.condition) } : {}),
    })),
    ...(results.statistics ? { statistics: results.statistics, note: MARGINAL_CI_NOTE } : {}),
  }, null, 2) + '\n';
}

export function exportMetricTable(results: ResultsFile, format: ExportFormat, opts: ExportOptions = {}): string {
  switch (format) {
    case 'csv':
      return metricTableCsv(results);
    case 'latex':
      return metricTableLatex(results, opts);
    case 'json':
      return metricTableJson(results);
    default: {
      const never: never = format;
      throw new Error(`unknown export format ${String(never)}`);
    }
  }
}
