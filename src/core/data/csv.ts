/**
 * CSV interaction logs (format "csv"): an interactions file and an items file, named by
 * `dataset.csvInteractions` / `dataset.csvItems`, with columns mapped by `dataset.csvColumns`
 * (user or session, item, timestamp; items: itemId, title). Every other items column becomes an
 * attribute family, multi-valued cells split on `dataset.csvAttributeSeparator`. Sessions are
 * built by the same sessionizer as RecBole files.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { InputError } from '../util/errors';
import { defaultConfig } from '../config/defaults';
import { info } from '../util/log';
import { StrictUtf8Lines, textEncoding, type TextEncoding } from './lines';
import { LogSessionizer, finishLog, readTimestamp } from './sessionize';
import { newAttributes } from './attributes';
import type { BadRows } from './badRows';
import type { ImportContext, ImportedData } from './importer';
import type { Item } from './types';

interface CsvRow {
  line: number;
  cells: string[];
}

/**
 * Streams a CSV file through csv-parse (bounded memory: records are handed to `onRow` as they are
 * parsed, never collected). `onHeader` gets the first record. UTF-8 input is checked line by line
 * first (StrictUtf8Lines), since csv-parse would decode a bad byte to U+FFFD.
 */
async function forEachCsvRow(
  root: string,
  file: string,
  encoding: TextEncoding,
  badRows: BadRows,
  onHeader: (header: string[]) => void,
  onRow: (row: CsvRow) => void,
): Promise<void> {
  // csv-parse reports where it gave up (for an unclosed quote: the end of the file); the record
  // really starts after the last good one, so errors cite that line and the range swallowed.
  let lastGoodLine = 0;
  const toInputError = (err: unknown, prefix: string): InputError => {
    const start = lastGoodLine + 1;
    const end = lineOf(err);
    const span = end !== undefined && end > start ? ` (lines ${start}-${end} unreadable)` : '';
    return new InputError(`${prefix}${(err as Error | undefined)?.message ?? 'unreadable CSV record'}${span}`, file, start);
  };
  // No `info: true`: on_record already gets the line, and csv-parse builds the info object once
  // per callback (a third of the parse time at 10^7 rows when built twice).
  const parser = parse({
    bom: true,
    encoding,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: badRows.skip,
    // Typed as returning a record; csv-parse passes on whatever it returns.
    on_record: ((record: string[], context: { lines: number }): CsvRow => {
      lastGoodLine = context.lines;
      return { line: context.lines, cells: record };
    }) as unknown as (record: string[]) => string[],
    on_skip: (err) => {
      badRows.reject(toInputError(err, ''));
      return undefined;
    },
  });
  let sawHeader = false;
  // An error thrown while handling a record aborts the pipeline, which then reports an
  // AbortError instead; keep ours so the message names the row.
  let rowError: unknown;
  const source = createReadStream(join(root, file), { highWaterMark: 1 << 20 });
  const stages = encoding === 'utf8' ? [source, new StrictUtf8Lines(file)] : [source];
  try {
    await pipeline(...(stages as [typeof source]), parser, async (records: AsyncIterable<CsvRow>) => {
      for await (const r of records) {
        try {
          if (!sawHeader) {
            sawHeader = true;
            onHeader(r.cells.map((h) => h.trim()));
          } else onRow(r);
        } catch (err) {
          rowError = err;
          throw err;
        }
      }
    });
  } catch (err) {
    if (rowError !== undefined) throw rowError;
    if (err instanceof InputError) throw err;
    if ((err as NodeJS.ErrnoException).code?.startsWith('E') && (err as NodeJS.ErrnoException).syscall) throw new InputError(`cannot read: ${(err as Error).message}`, file);
    throw toInputError(err, 'invalid CSV: ');
  }
  if (!sawHeader) throw new InputError('empty file: expected a header row', file, 1);
}

function lineOf(err: unknown): number | undefined {
  const lines = (err as { lines?: unknown } | undefined)?.lines;
  return typeof lines === 'number' ? lines : undefined;
}

function column(header: string[], name: string, file: string, what: string): number {
  const i = header.indexOf(name);
  if (i < 0) throw new InputError(`missing ${what} column "${name}" (header has: ${header.join(', ')}; see dataset.csvColumns)`, file, 1, name);
  return i;
}

export async function importCsv(ctx: ImportContext): Promise<ImportedData> {
  // A config that maps only some columns keeps the defaults for the rest.
  const cols: Record<string, string | undefined> = { ...defaultConfig().dataset.csvColumns, ...ctx.config.csvColumns };
  const itemsFile = ctx.config.csvItems;
  const interFile = ctx.config.csvInteractions;
  const notes: string[] = [];

  const encoding = textEncoding(ctx.config.encoding);
  const items = await readItems(ctx.root, itemsFile, cols.itemId ?? 'item_id', cols.title ?? 'title', encoding, ctx);
  info(ctx.logger, `csv: ${items.size} items from ${itemsFile}`);

  let header: string[] = [];
  let sessionCol = -1;
  let itemCol = -1;
  let userCol = -1;
  let timeCol = -1;
  let log: LogSessionizer | undefined;
  const timeName = cols.timestamp ?? 'timestamp';
  const onHeader = (h: string[]): void => {
    header = h;
    sessionCol = cols.session ? column(h, cols.session, interFile, 'session') : -1;
    itemCol = column(h, cols.item ?? 'item_id', interFile, 'item');
    userCol = sessionCol < 0 ? column(h, cols.user ?? 'user_id', interFile, 'user') : h.indexOf(cols.user ?? 'user_id');
    timeCol = sessionCol < 0 ? column(h, timeName, interFile, 'timestamp') : h.indexOf(timeName);
    if (sessionCol >= 0 && timeCol < 0) notes.push(`${interFile}: no "${timeName}" column; sessions keep the file order`);
    log = new LogSessionizer(sessionCol >= 0 ? 'session' : 'user-day');
  };
  const onRow = (row: CsvRow): void => {
    const bad = (msg: string, field: string): void => ctx.badRows.reject(new InputError(msg, interFile, row.line, field));
    if (row.cells.length !== header.length) {
      bad(`expected ${header.length} columns, got ${row.cells.length}`, header[Math.min(row.cells.length, header.length - 1)]!);
      return;
    }
    const raw = row.cells[itemCol]!.trim();
    if (raw === '') {
      bad('empty item id', header[itemCol]!);
      return;
    }
    const item = items.get(raw);
    if (!item) {
      bad(`item "${raw}" is not in ${itemsFile}`, header[itemCol]!);
      return;
    }
    const user = userCol >= 0 ? row.cells[userCol]!.trim() : '';
    if (sessionCol < 0 && user === '') {
      bad('empty user id', header[userCol]!);
      return;
    }
    const session = sessionCol >= 0 ? row.cells[sessionCol]!.trim() : undefined;
    if (sessionCol >= 0 && session === '') {
      bad('empty session id', header[sessionCol]!);
      return;
    }
    let time: number | undefined;
    if (timeCol >= 0) {
      const t = readTimestamp(row.cells[timeCol]!);
      if (typeof t !== 'number') {
        bad(t.problem, header[timeCol]!);
        return;
      }
      time = t;
    }
    log!.add({ user, session, item: item.id, time });
  };
  await forEachCsvRow(ctx.root, interFile, encoding, ctx.badRows, onHeader, onRow);
  info(ctx.logger, `csv: ${log!.count} interactions from ${interFile}`);

  const built = finishLog(log!, items, ctx.config);

  notes.push(...built.notes);
  return { items, train: built.train, test: built.test, files: [interFile, itemsFile], notes };
}

async function readItems(root: string, file: string, idName: string, titleName: string, encoding: TextEncoding, ctx: ImportContext): Promise<Map<string, Item>> {
  const sep = ctx.config.csvAttributeSeparator;
  let header: string[] = [];
  let idCol = -1;
  let titleCol = -1;
  let attrCols: { name: string; i: number }[] = [];
  const items = new Map<string, Item>();
  const onHeader = (h: string[]): void => {
    header = h;
    idCol = column(h, idName, file, 'item id');
    titleCol = column(h, titleName, file, 'title');
    attrCols = h.map((name, i) => ({ name, i })).filter((c) => c.i !== idCol && c.i !== titleCol && c.name !== '');
  };
  const onRow = (row: CsvRow): void => {
    const bad = (msg: string, field?: string): void => ctx.badRows.reject(new InputError(msg, file, row.line, field));
    if (row.cells.length !== header.length) {
      bad(`expected ${header.length} columns, got ${row.cells.length}`, header[Math.min(row.cells.length, header.length - 1)]);
      return;
    }
    const id = row.cells[idCol]!.trim();
    const title = row.cells[titleCol]!.trim();
    if (id === '') return bad('empty item id', idName);
    if (title === '') return bad('empty title', titleName);
    if (items.has(id)) return bad(`duplicate item id "${id}"`, idName);
    const attributes = newAttributes();
    for (const c of attrCols) {
      const cell = row.cells[c.i]!;
      const values = (sep ? cell.split(sep) : [cell]).map((v) => v.trim()).filter(Boolean);
      if (values.length) attributes[c.name] = values;
    }
    items.set(id, { id, title, attributes });
  };
  await forEachCsvRow(root, file, encoding, ctx.badRows, onHeader, onRow);
  return items;
}
