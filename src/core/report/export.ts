/**
 * `re2llm export`: the metric table as CSV (RFC 4180), a LaTeX booktabs table a paper can
 * \input, or JSON. Pure functions from a ResultsFile to a string.
 */
import type { ResultsFile } from '../../protocol/results';
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

export function metricTableCsv(results: ResultsFile): string {
  const t = metricTable(results);
  const header = ['condition', 'hint_id', 'n', ...t.metrics.flatMap((m) => [m, `${m}_ci_low`, `${m}_ci_high`])];
  return toCsv([
    header,
    ...t.rows.map((r) => [r.condition, r.hintId ?? '', r.n, ...r.cells.flatMap((c): Array<string | number> => (c.estimate ? [c.estimate.mean, c.estimate.ciLow, c.estimate.ciHigh] : ['', '', '']))]),
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
  const line = (r: (typeof t.rows)[number]) => `${latexEscape(r.label)} & ${r.cells.map(cell).join(' & ')} \\\\`;
  const main = t.rows.filter((r) => !r.upperBound);
  const upper = t.rows.filter((r) => r.upperBound);
  const n = Math.max(0, ...t.rows.map((r) => r.n));
  const run = results.run;
  const ciText = ci === 'pm' ? ' $\\pm$ half-width of the bootstrap 95\\% confidence interval;' : ci === 'interval' ? ' bootstrap 95\\% confidence interval in brackets;' : '';
  const caption = `Ranking quality on ${latexEscape(run.dataset.name)} with ${latexEscape(run.llm.model)}: mean over ${n} test sessions;${ciText} best in bold${upper.length ? ' (upper bounds excluded)' : ''}.`;
  return [
    `% Re2LLM Studio ${latexEscape(run.packageVersion)}, run ${latexEscape(run.id)}. Needs \\usepackage{booktabs}.`,
    '\\begin{table}[t]',
    '\\centering',
    `\\caption{${caption}}`,
    `\\label{${opts.label ?? 'tab:re2llm-results'}}`,
    `\\begin{tabular}{l${'c'.repeat(t.metrics.length)}}`,
    '\\toprule',
    `Condition & ${t.metrics.map(latexEscape).join(' & ')} \\\\`,
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
    })),
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
