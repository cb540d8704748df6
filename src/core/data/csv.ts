/**
 * CSV interaction logs (format "csv"): an interactions file and an items file, named by
 * `dataset.csvInteractions` / `dataset.csvItems`, with columns mapped by `dataset.csvColumns`
 * (user or session, item, timestamp; items: itemId, title). Every other items column becomes an
 * attribute family, multi-valued cells split on `dataset.csvAttributeSeparator`. Sessions are
 * built by the same sessionizer as RecBole files.
 */
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { InputError } from '../util/errors';
import { defaultConfig } from '../config/defaults';
import { info } from '../util/log';
import { readText } from './text';
import { sessionizeLog, parseTimestamp, type Interaction } from './sessionize';
import type { BadRows } from './badRows';
import type { ImportContext, ImportedData } from './importer';
import type { Item } from './types';

interface CsvRow {
  line: number;
  cells: string[];
}

interface CsvTable {
  header: string[];
  rows: CsvRow[];
}

async function readCsv(root: string, file: string, badRows: BadRows): Promise<CsvTable> {
  const text = await readText(join(root, file), 'utf8', file);
  // csv-parse reports where it gave up (for an unclosed quote: the end of the file); the record
  // really starts after the last good one, so errors cite that line and the range swallowed.
  let lastGoodLine = 0;
  const toInputError = (err: unknown, prefix: string): InputError => {
    const start = lastGoodLine + 1;
    const end = lineOf(err);
    const span = end !== undefined && end > start ? ` (lines ${start}-${end} unreadable)` : '';
    return new InputError(`${prefix}${(err as Error | undefined)?.message ?? 'unreadable CSV record'}${span}`, file, start);
  };
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, {
      info: true,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: badRows.skip,
      on_record: (record, context) => {
        lastGoodLine = context.lines;
        return record;
      },
      on_skip: (err) => {
        badRows.reject(toInputError(err, ''));
        return undefined;
      },
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (err) {
    throw toInputError(err, 'invalid CSV: ');
  }
  if (records.length === 0) throw new InputError('empty file: expected a header row', file, 1);
  const header = records[0]!.record.map((h) => h.trim());
  return { header, rows: records.slice(1).map((r) => ({ line: r.info.lines, cells: r.record })) };
}

function lineOf(err: unknown): number | undefined {
  const lines = (err as { lines?: unknown } | undefined)?.lines;
  return typeof lines === 'number' ? lines : undefined;
}

function column(table: CsvTable, name: string, file: string, what: string): number {
  const i = table.header.indexOf(name);
  if (i < 0) throw new InputError(`missing ${what} column "${name}" (header has: ${table.header.join(', ')}; see dataset.csvColumns)`, file, 1, name);
  return i;
}

export async function importCsv(ctx: ImportContext): Promise<ImportedData> {
  // A config that maps only some columns keeps the defaults for the rest.
  const cols: Record<string, string | undefined> = { ...defaultConfig().dataset.csvColumns, ...ctx.config.csvColumns };
  const itemsFile = ctx.config.csvItems;
  const interFile = ctx.config.csvInteractions;
  const notes: string[] = [];

  const itemsTable = await readCsv(ctx.root, itemsFile, ctx.badRows);
  const items = readItems(itemsTable, itemsFile, cols.itemId ?? 'item_id', cols.title ?? 'title', ctx);
  info(ctx.logger, `csv: ${items.size} items from ${itemsFile}`);

  const t = await readCsv(ctx.root, interFile, ctx.badRows);
  const sessionCol = cols.session ? column(t, cols.session, interFile, 'session') : -1;
  const itemCol = column(t, cols.item ?? 'item_id', interFile, 'item');
  const userCol = sessionCol < 0 ? column(t, cols.user ?? 'user_id', interFile, 'user') : t.header.indexOf(cols.user ?? 'user_id');
  const timeName = cols.timestamp ?? 'timestamp';
  const timeCol = sessionCol < 0 ? column(t, timeName, interFile, 'timestamp') : t.header.indexOf(timeName);
  if (sessionCol >= 0 && timeCol < 0) notes.push(`${interFile}: no "${timeName}" column; sessions keep the file order`);

  const interactions: Interaction[] = [];
  for (const row of t.rows) {
    const bad = (msg: string, field: string): void => ctx.badRows.reject(new InputError(msg, interFile, row.line, field));
    if (row.cells.length !== t.header.length) {
      bad(`expected ${t.header.length} columns, got ${row.cells.length}`, t.header[Math.min(row.cells.length, t.header.length - 1)]!);
      continue;
    }
    const item = row.cells[itemCol]!.trim();
    if (item === '') {
      bad('empty item id', t.header[itemCol]!);
      continue;
    }
    if (!items.has(item)) {
      bad(`item "${item}" is not in ${itemsFile}`, t.header[itemCol]!);
      continue;
    }
    const user = userCol >= 0 ? row.cells[userCol]!.trim() : '';
    if (sessionCol < 0 && user === '') {
      bad('empty user id', t.header[userCol]!);
      continue;
    }
    const session = sessionCol >= 0 ? row.cells[sessionCol]!.trim() : undefined;
    if (sessionCol >= 0 && session === '') {
      bad('empty session id', t.header[sessionCol]!);
      continue;
    }
    let time: number | undefined;
    if (timeCol >= 0) {
      time = parseTimestamp(row.cells[timeCol]!);
      if (time === undefined) {
        bad(`timestamp "${row.cells[timeCol]}" is not a number or an ISO date`, t.header[timeCol]!);
        continue;
      }
    }
    interactions.push({ user, session, item, time });
  }
  info(ctx.logger, `csv: ${interactions.length} interactions from ${interFile}`);

  const built = sessionizeLog(interactions, items, sessionCol >= 0, ctx.config);

  notes.push(...built.notes);
  return { items, train: built.train, test: built.test, files: [interFile, itemsFile], notes };
}

function readItems(t: CsvTable, file: string, idName: string, titleName: string, ctx: ImportContext): Map<string, Item> {
  const idCol = column(t, idName, file, 'item id');
  const titleCol = column(t, titleName, file, 'title');
  const sep = ctx.config.csvAttributeSeparator;
  const attrCols = t.header.map((name, i) => ({ name, i })).filter((c) => c.i !== idCol && c.i !== titleCol && c.name !== '');
  const items = new Map<string, Item>();
  for (const row of t.rows) {
    const bad = (msg: string, field?: string): void => ctx.badRows.reject(new InputError(msg, file, row.line, field));
    if (row.cells.length !== t.header.length) {
      bad(`expected ${t.header.length} columns, got ${row.cells.length}`, t.header[Math.min(row.cells.length, t.header.length - 1)]);
      continue;
    }
    const id = row.cells[idCol]!.trim();
    const title = row.cells[titleCol]!.trim();
    if (id === '') {
      bad('empty item id', idName);
      continue;
    }
    if (title === '') {
      bad('empty title', titleName);
      continue;
    }
    if (items.has(id)) {
      bad(`duplicate item id "${id}"`, idName);
      continue;
    }
    const attributes: Record<string, string[]> = {};
    for (const c of attrCols) {
      const cell = row.cells[c.i]!;
      const values = (sep ? cell.split(sep) : [cell]).map((v) => v.trim()).filter(Boolean);
      if (values.length) attributes[c.name] = values;
    }
    items.set(id, { id, title, attributes });
  }
  return items;
}
