/**
 * Tab-separated files with a header row (HetRec .dat files, RecBole atomic files), read line by
 * line (lines.ts: bounded memory, strict decoding). Rows keep their 1-based file line number
 * (the header is line 1) for error messages.
 */
import { forEachLine, type TextEncoding } from './lines';
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

/**
 * Streams the rows: `onHeader` once with the header cells, then `onRow` per non-blank line.
 * Returns the number of blank lines (counted so nothing disappears unexplained).
 */
export async function forEachTsvRow(
  path: string,
  displayName: string,
  encoding: TextEncoding,
  onHeader: (header: string[]) => void,
  onRow: (row: TsvRow) => void,
): Promise<number> {
  let blankLines = 0;
  let sawHeader = false;
  await forEachLine(path, encoding, displayName, (text, line) => {
    if (!sawHeader) {
      if (text.trim() === '') throw new InputError('empty file: expected a tab-separated header row', displayName, 1);
      sawHeader = true;
      onHeader(text.split('\t').map((h) => h.trim()));
      return;
    }
    if (text.trim() === '') {
      blankLines++;
      return;
    }
    onRow({ line, cells: text.split('\t') });
  });
  if (!sawHeader) throw new InputError('empty file: expected a tab-separated header row', displayName, 1);
  return blankLines;
}

/** The whole file in memory: for item files, which are small next to the interaction logs. */
export async function readTsv(path: string, displayName: string, encoding: TextEncoding = 'utf8'): Promise<TsvFile> {
  let header: string[] = [];
  const rows: TsvRow[] = [];
  const blankLines = await forEachTsvRow(path, displayName, encoding, (h) => (header = h), (r) => rows.push(r));
  return { header, rows, blankLines };
}

/** Index of a header column, or an InputError naming the file and the missing column. */
export function columnIndex(header: string[], name: string, displayName: string): number {
  const i = header.indexOf(name);
  if (i < 0) throw new InputError(`missing column "${name}" (header has: ${header.join(', ')})`, displayName, 1, name);
  return i;
}
