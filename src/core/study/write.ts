/**
 * The study folder's outputs, each written atomically: `study.json` (schema
 * schemas/study-results.schema.json) and `tables/<id>.csv` / `tables/<id>.tex` for every table,
 * in the run export's style, and the self-contained `study.html` (html.ts) (RFC 4180 CSV; a booktabs table a paper can \input).
 */
import { join } from 'node:path';
import type { StudyResults } from '../../protocol/study';
import { latexEscape, toCsv } from '../report/export';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs';
import { studyTables, type StudyTable } from './tables';
import { writeStudyHtml } from './html';

export const STUDY_RESULTS_FILE = 'study.json';

/** Captions already hold LaTeX ($\pm$, \%); everything else is escaped. */
export function tableLatex(t: StudyTable, r: StudyResults): string {
  const esc = (s: string): string => latexEscape(s).replace(/±/g, '$\\pm$');
  return [
    `% Re2LLM Studio ${latexEscape(r.packageVersion)}, study ${latexEscape(r.name)}. Needs \\usepackage{booktabs}.`,
    '\\begin{table}[t]',
    '\\centering',
    `\\caption{${t.caption.replace(/[_#&]/g, (c) => `\\${c}`)}}`,
    `\\label{tab:${latexEscape(r.name)}-${t.id}}`,
    `\\begin{tabular}{${t.latex.align}}`,
    '\\toprule',
    `${t.latex.header.map(esc).join(' & ')} \\\\`,
    '\\midrule',
    ...t.latex.rows.map((row) => `${row.map(esc).join(' & ')} \\\\`),
    '\\bottomrule',
    '\\end{tabular}',
    '\\end{table}',
    '',
  ].join('\n');
}

export async function writeStudyOutputs(outDir: string, r: StudyResults, opts: { html?: boolean } = {}): Promise<{ studyPath: string; tables: string[]; htmlPath?: string }> {
  const studyPath = join(outDir, STUDY_RESULTS_FILE);
  const tables: string[] = [];
  for (const t of studyTables(r)) {
    const csv = join(outDir, 'tables', `${t.id}.csv`);
    const tex = join(outDir, 'tables', `${t.id}.tex`);
    await writeFileAtomic(csv, toCsv(t.csv));
    await writeFileAtomic(tex, tableLatex(t, r));
    tables.push(csv, tex);
  }
  await writeJsonAtomic(studyPath, r);
  const htmlPath = opts.html === false ? undefined : await writeStudyHtml(outDir, r);
  return { studyPath, tables, ...(htmlPath ? { htmlPath } : {}) };
}
