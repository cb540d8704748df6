/**
 * The JSONL interchange format (format "jsonl"), recognised with no config:
 *
 *   items.jsonl                {"id": "1", "title": "Toy Story", "attributes": {"genres": ["Animation"], "year": "1995"}}
 *   sessions_train.jsonl       {"id": "s1", "items": ["1", "2"], "target": "3", "candidates": ["3", "7", ...]}
 *   sessions_validation.jsonl  (optional; without it a seeded slice of train becomes validation)
 *   sessions_test.jsonl
 *
 * Ids are strings (numbers are accepted and stringified). `attributes` is optional: items with a
 * title only work everywhere. Checked: every id is a known item, the target is a candidate,
 * session ids are unique across all files. (Repeated candidate ids are kept and counted in the
 * report, as the authors' pickles repeat the target in a few sessions.)
 */
import { join } from 'node:path';
import { InputError } from '../util/errors';
import { exists } from '../util/fs';
import { info } from '../util/log';
import { forEachLine, textEncoding, type TextEncoding } from './lines';
import { newAttributes } from './attributes';
import type { BadRows } from './badRows';
import type { ImportContext, ImportedData } from './importer';
import type { Item, ItemAttributes, Session, SplitName } from './types';

export const JSONL_ITEMS = 'items.jsonl';
export const jsonlSessionsFile = (split: SplitName): string => `sessions_${split}.jsonl`;

/** True when the folder holds the interchange files (items and at least the train sessions). */
export async function isJsonlFolder(root: string): Promise<boolean> {
  return (await exists(join(root, JSONL_ITEMS))) && (await exists(join(root, jsonlSessionsFile('train'))));
}

export async function importJsonl(ctx: ImportContext): Promise<ImportedData> {
  const files: string[] = [];
  const notes: string[] = [];
  const items = new Map<string, Item>();
  const encoding = textEncoding(ctx.config.encoding);
  await forEachJsonLine(ctx.root, JSONL_ITEMS, encoding, ctx.badRows, notes, (value, line) => {
    const item = toItem(value, JSONL_ITEMS, line);
    if (items.has(item.id)) throw new InputError(`duplicate item id "${item.id}"`, JSONL_ITEMS, line, 'id');
    items.set(item.id, item);
  });
  files.push(JSONL_ITEMS);
  info(ctx.logger, `jsonl: ${items.size} items`);

  const seen = new Map<string, string>();
  const readSplit = async (split: SplitName): Promise<Session[]> => {
    const file = jsonlSessionsFile(split);
    const sessions: Session[] = [];
    await forEachJsonLine(ctx.root, file, encoding, ctx.badRows, notes, (value, line) => {
      const s = toSession(value, file, line, items);
      const prev = seen.get(s.id);
      if (prev) throw new InputError(`duplicate session id "${s.id}" (first in ${prev})`, file, line, 'id');
      seen.set(s.id, `${file}:${line}`);
      sessions.push(s);
    });
    files.push(file);
    info(ctx.logger, `jsonl: ${sessions.length} ${split} sessions`);
    return sessions;
  };
  const train = await readSplit('train');
  const hasValidation = await exists(join(ctx.root, jsonlSessionsFile('validation')));
  const validation = hasValidation ? await readSplit('validation') : undefined;
  if (!(await exists(join(ctx.root, jsonlSessionsFile('test'))))) throw new InputError('missing test sessions file', jsonlSessionsFile('test'));
  const test = await readSplit('test');
  return { items, train, validation, test, files, notes };
}

/** Calls `each` for every non-blank line's JSON value; InputErrors go through the bad-row policy. */
async function forEachJsonLine(
  root: string,
  file: string,
  encoding: TextEncoding,
  badRows: BadRows,
  notes: string[],
  each: (value: unknown, line: number) => void,
): Promise<void> {
  let blank = 0;
  await forEachLine(join(root, file), encoding, file, (text, line) => {
    if (text.trim() === '') {
      blank++;
      return;
    }
    try {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new InputError(`invalid JSON: ${(err as Error).message}`, file, line);
      }
      each(value, line);
    } catch (err) {
      if (err instanceof InputError) badRows.reject(err);
      else throw err;
    }
  });
  if (blank) notes.push(`${file}: ${blank} blank line(s) ignored`);
}

function asObject(value: unknown, file: string, line: number): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InputError('expected a JSON object', file, line);
  return value as Record<string, unknown>;
}

function asId(value: unknown, file: string, line: number, field: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new InputError(`expected a non-empty string id, got ${JSON.stringify(value) ?? 'nothing'}`, file, line, field);
}

function toItem(value: unknown, file: string, line: number): Item {
  const o = asObject(value, file, line);
  const id = asId(o.id, file, line, 'id');
  if (typeof o.title !== 'string' || o.title.trim() === '') throw new InputError('expected a non-empty string title', file, line, 'title');
  const attributes: ItemAttributes = newAttributes();
  if (o.attributes !== undefined && o.attributes !== null) {
    if (typeof o.attributes !== 'object' || Array.isArray(o.attributes)) throw new InputError('expected an object of attribute families', file, line, 'attributes');
    for (const [family, v] of Object.entries(o.attributes as Record<string, unknown>)) {
      const field = `attributes.${family}`;
      const list = Array.isArray(v) ? v : [v];
      const values = list.map((x) => {
        if (typeof x === 'string') return x.trim();
        if (typeof x === 'number' && Number.isFinite(x)) return String(x);
        throw new InputError(`expected a string or a list of strings, got ${JSON.stringify(x)}`, file, line, field);
      });
      const kept = values.filter((x) => x !== '');
      if (kept.length) attributes[family] = kept;
    }
  }
  return { id, title: o.title.trim(), attributes };
}

function toSession(value: unknown, file: string, line: number, items: Map<string, Item>): Session {
  const o = asObject(value, file, line);
  const id = asId(o.id, file, line, 'id');
  const known = (v: unknown, field: string): string => {
    const itemId = asId(v, file, line, field);
    const item = items.get(itemId);
    if (!item) throw new InputError(`unknown item "${itemId}" (not in ${JSONL_ITEMS})`, file, line, field);
    // The catalogue's own string: 10^7 history and candidate entries share it instead of copies.
    return item.id;
  };
  const list = (v: unknown, field: string): string[] => {
    if (!Array.isArray(v)) throw new InputError('expected a list of item ids', file, line, field);
    return v.map((x, j) => known(x, `${field}[${j}]`));
  };
  const history = list(o.items, 'items');
  if (history.length === 0) throw new InputError('empty history', file, line, 'items');
  const target = known(o.target, 'target');
  const candidates = list(o.candidates, 'candidates');
  if (!candidates.includes(target)) throw new InputError(`target "${target}" is not among the candidates`, file, line, 'candidates');
  return { id, history, target, candidates };
}
