/**
 * The Re2LLM authors' session files: Python-3 pickles of a list of tuples
 * `(history_item_ids, target_item_id, candidate_item_ids)` with integer ids. Read with the
 * `pickleparser` package (pure JavaScript, protocols 0-5; nothing is executed).
 * Session ids are origin-based (`<origin>-<index in the pickle>`) so recorded answers for "the
 * first 100 training prompts" map to train-0..train-99 whatever split they later land in.
 */
import { Parser } from 'pickleparser';
import { promises as fsp } from 'node:fs';
import { InputError } from '../util/errors';
import type { BadRows } from './badRows';
import type { Item, Session } from './types';

export async function readPickledSessions(
  path: string,
  displayName: string,
  origin: string,
  items: Map<string, Item>,
  badRows: BadRows,
): Promise<Session[]> {
  let buf: Buffer;
  try {
    buf = await fsp.readFile(path);
  } catch (err) {
    throw new InputError(`cannot read: ${(err as Error).message}`, displayName);
  }
  let data: unknown;
  try {
    data = new Parser().parse(buf);
  } catch (err) {
    throw new InputError(`not a readable Python pickle: ${(err as Error).message}`, displayName);
  }
  if (!Array.isArray(data)) throw new InputError(`expected a pickled list of (history, target, candidates) tuples, got ${typeof data}`, displayName);
  const sessions: Session[] = [];
  data.forEach((entry: unknown, i: number) => {
    try {
      sessions.push(toSession(entry, `${origin}-${i}`, i, displayName, items));
    } catch (err) {
      if (err instanceof InputError) badRows.reject(err);
      else throw err;
    }
  });
  return sessions;
}

function toSession(entry: unknown, id: string, index: number, file: string, items: Map<string, Item>): Session {
  // Pickle entries have no line numbers; the field path names the entry instead.
  const where = (field: string): string => `[${index}].${field}`;
  if (!Array.isArray(entry) || entry.length !== 3) {
    throw new InputError(`entry ${index} is not a (history, target, candidates) tuple`, file, undefined, `[${index}]`);
  }
  const [h, t, c] = entry as unknown[];
  const history = idList(h, file, where('history'), items);
  const target = oneId(t, file, where('target'), items);
  const candidates = idList(c, file, where('candidates'), items);
  if (history.length === 0) throw new InputError('empty history', file, undefined, where('history'));
  if (!candidates.includes(target)) throw new InputError(`target ${target} is not among the candidates`, file, undefined, where('candidates'));
  return { id, history, target, candidates };
}

function oneId(v: unknown, file: string, field: string, items: Map<string, Item>): string {
  if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'bigint') throw new InputError(`expected an item id, got ${JSON.stringify(v)}`, file, undefined, field);
  const id = String(v);
  if (!items.has(id)) throw new InputError(`item ${id} is not in the item files`, file, undefined, field);
  return id;
}

function idList(v: unknown, file: string, field: string, items: Map<string, Item>): string[] {
  if (!Array.isArray(v)) throw new InputError('expected a list of item ids', file, undefined, field);
  return v.map((x, j) => oneId(x, file, `${field}[${j}]`, items));
}
