/**
 * RecBole atomic files (format "recbole"): `<name>.inter` (interactions) and `<name>.item`
 * (item features), tab-separated with typed headers `field:type` where type is token,
 * token_seq (space-separated tokens), float or float_seq. Sessions are built from the
 * interactions by the shared sessionizer (by `session_id` when present, else user and UTC day).
 *
 * Items: the title is `movie_title`, else `title`, else the first token_seq/token field; every
 * other field becomes an attribute family (`class` -> genres, `release_year` -> year).
 */
import { promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../util/errors';
import { info } from '../util/log';
import { forEachTsvRow, readTsv } from './tsv';
import { textEncoding } from './lines';
import { LogSessionizer, finishLog, readTimestamp } from './sessionize';
import { newAttributes } from './attributes';
import type { ImportContext, ImportedData } from './importer';
import type { Item } from './types';

const FIELD_TYPES = ['token', 'token_seq', 'float', 'float_seq'] as const;
type FieldType = (typeof FIELD_TYPES)[number];

interface Field {
  name: string;
  type: FieldType;
  index: number;
}

/** RecBole field names that mean a familiar attribute family. */
const FAMILY_NAMES: Record<string, string> = { class: 'genres', genre: 'genres', release_year: 'year', year: 'year' };

/** The dataset name: the one `.inter` file in the folder, or the one named like the folder. Null if none. */
export async function recboleName(root: string): Promise<string | null> {
  let names: string[];
  try {
    names = (await fsp.readdir(root)).filter((f) => f.endsWith('.inter')).map((f) => f.slice(0, -'.inter'.length));
  } catch {
    return null;
  }
  if (names.length === 0) return null;
  if (names.length === 1) return names[0]!;
  const folder = basename(root);
  if (names.includes(folder)) return folder;
  throw new InputError(`several .inter files (${names.join(', ')}) and none named like the folder "${folder}"`, root);
}

export function parseTypedHeader(tsv: { header: string[] }, file: string): Field[] {
  return tsv.header.map((h, index) => {
    const i = h.lastIndexOf(':');
    const name = i > 0 ? h.slice(0, i) : h;
    const type = i > 0 ? h.slice(i + 1) : '';
    if (!(FIELD_TYPES as readonly string[]).includes(type)) {
      throw new InputError(`header field "${h}" must be name:type with type one of ${FIELD_TYPES.join(', ')}`, file, 1, name);
    }
    return { name, type: type as FieldType, index };
  });
}

export async function importRecbole(ctx: ImportContext): Promise<ImportedData> {
  const name = await recboleName(ctx.root);
  if (!name) throw new InputError('no RecBole .inter file in the folder', ctx.root);
  const itemFile = `${name}.item`;
  const interFile = `${name}.inter`;
  const notes: string[] = [];

  const items = await readRecboleItems(join(ctx.root, itemFile), itemFile, ctx, notes);
  info(ctx.logger, `recbole: ${items.size} items from ${itemFile}`);

  // The interactions file is the big one (10^7 rows): streamed, each row turned into one event.
  const encoding = textEncoding(ctx.config.encoding);
  let fields: Field[] = [];
  let itemF: Field | undefined;
  let userF: Field | undefined;
  let sessionF: Field | undefined;
  let timeF: Field | undefined;
  let log: LogSessionizer | undefined;
  const blankLines = await forEachTsvRow(
    join(ctx.root, interFile),
    interFile,
    encoding,
    (header) => {
      fields = parseTypedHeader({ header }, interFile);
      const field = (n: string): Field | undefined => fields.find((f) => f.name === n);
      itemF = field('item_id');
      userF = field('user_id');
      sessionF = field('session_id');
      timeF = field('timestamp');
      if (!itemF) throw new InputError('missing field item_id', interFile, 1, 'item_id');
      if (!sessionF && !userF) throw new InputError('missing field user_id (or session_id)', interFile, 1, 'user_id');
      if (!sessionF && !timeF) throw new InputError('missing field timestamp (needed to group by user and day without session_id)', interFile, 1, 'timestamp');
      log = new LogSessionizer(sessionF ? 'session' : 'user-day');
    },
    (row) => {
      const bad = (msg: string, f: string): void => ctx.badRows.reject(new InputError(msg, interFile, row.line, f));
      if (row.cells.length !== fields.length) {
        bad(`expected ${fields.length} tab-separated fields, got ${row.cells.length}`, fields[Math.min(row.cells.length, fields.length - 1)]!.name);
        return;
      }
      const item = items.get(row.cells[itemF!.index]!.trim());
      if (!item) {
        const raw = row.cells[itemF!.index]!.trim();
        bad(raw === '' ? 'empty item id' : `item ${raw} is not in ${itemFile}`, 'item_id');
        return;
      }
      const user = userF ? row.cells[userF.index]!.trim() : '';
      if (userF && user === '') {
        bad('empty user id', 'user_id');
        return;
      }
      const session = sessionF ? row.cells[sessionF.index]!.trim() : undefined;
      if (sessionF && session === '') {
        bad('empty session id', 'session_id');
        return;
      }
      let time: number | undefined;
      if (timeF) {
        const t = readTimestamp(row.cells[timeF.index]!);
        if (typeof t !== 'number') {
          bad(t.problem, 'timestamp');
          return;
        }
        time = t;
      }
      log!.add({ user, session, item: item.id, time });
    },
  );
  info(ctx.logger, `recbole: ${log!.count} interactions from ${interFile}`);
  if (blankLines) notes.push(`${interFile}: ${blankLines} blank line(s) ignored`);

  const built = finishLog(log!, items, ctx.config);

  notes.push(...built.notes);
  return { items, train: built.train, test: built.test, files: [interFile, itemFile], notes };
}

async function readRecboleItems(path: string, file: string, ctx: ImportContext, notes: string[]): Promise<Map<string, Item>> {
  const tsv = await readTsv(path, file, textEncoding(ctx.config.encoding));
  const fields = parseTypedHeader(tsv, file);
  const idF = fields.find((f) => f.name === 'item_id');
  if (!idF) throw new InputError('missing field item_id', file, 1, 'item_id');
  const rest = fields.filter((f) => f !== idF);
  const titleF =
    rest.find((f) => f.name === 'movie_title') ??
    rest.find((f) => f.name === 'title') ??
    rest.find((f) => f.type === 'token_seq') ??
    rest.find((f) => f.type === 'token');
  if (!titleF) throw new InputError('no title field (movie_title, title, or any token/token_seq field)', file, 1);
  if (titleF.name !== 'movie_title' && titleF.name !== 'title') notes.push(`${file}: titles taken from field "${titleF.name}"`);
  const attrFields = rest.filter((f) => f !== titleF);

  const items = new Map<string, Item>();
  for (const row of tsv.rows) {
    if (row.cells.length !== fields.length) {
      ctx.badRows.reject(new InputError(`expected ${fields.length} tab-separated fields, got ${row.cells.length}`, file, row.line));
      continue;
    }
    const id = row.cells[idF.index]!.trim();
    const title = row.cells[titleF.index]!.trim();
    if (id === '') {
      ctx.badRows.reject(new InputError('empty item id', file, row.line, 'item_id'));
      continue;
    }
    if (title === '') {
      ctx.badRows.reject(new InputError('empty title', file, row.line, titleF.name));
      continue;
    }
    if (items.has(id)) {
      ctx.badRows.reject(new InputError(`duplicate item id ${id}`, file, row.line, 'item_id'));
      continue;
    }
    const attributes = newAttributes();
    for (const f of attrFields) {
      const cell = row.cells[f.index]!.trim();
      const values = f.type.endsWith('_seq') ? cell.split(/\s+/).filter(Boolean) : cell ? [cell] : [];
      if (values.length) attributes[FAMILY_NAMES[f.name] ?? f.name] = values;
    }
    items.set(id, { id, title, attributes });
  }
  if (tsv.blankLines) notes.push(`${file}: ${tsv.blankLines} blank line(s) ignored`);
  return items;
}
