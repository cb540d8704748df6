/**
 * Tab-separated files with a header row (HetRec .dat files, RecBole atomic files).
 * Rows keep their 1-based file line number (the header is line 1) for error messages.
 */
import { readLines, type TextEncoding } from './text';
import { InputError } from '../util/errors';

export interface TsvRow {
  line: number;
  cells: string[];
}

export interface TsvFile {
  header: string[];
  rows: TsvRow[];
  /** Blank lines seen (not data, but counted so nothing disappears unexplained). */
  blankLines: number;
}

export async function readTsv(path: string, displayName: string, encoding: TextEncoding = 'utf8'): Promise<TsvFile> {
  const lines = await readLines(path, encoding, displayName);
  if (lines.length === 0 || lines[0]!.trim() === '') throw new InputError('empty file: expected a tab-separated header row', displayName, 1);
  const header = lines[0]!.split('\t').map((h) => h.trim());
  const rows: TsvRow[] = [];
  let blankLines = 0;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '') {
      blankLines++;
      continue;
    }
    rows.push({ line: i + 1, cells: l.split('\t') });
  }
  return { header, rows, blankLines };
}

/** Index of a header column, or an InputError naming the file and the missing column. */
export function columnIndex(header: string[], name: string, displayName: string): number {
  const i = header.indexOf(name);
  if (i < 0) throw new InputError(`missing column "${name}" (header has: ${header.join(', ')})`, displayName, 1, name);
  return i;
}
