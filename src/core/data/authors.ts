/**
 * The Re2LLM authors' example folder (format "authors"): pickled `example_{train,test}.txt`
 * session splits plus the HetRec 2011 item files. Laid out as in the authors' repository
 * (`official/` + `raw/`) or flat (all files directly in the folder).
 *
 * The `*_text.json` prompt files are the same sessions rendered as the authors' prompts; they are
 * not needed, but their labels are checked against the pickled targets' titles so a mismatched
 * pickle/item pair is noticed.
 */
import { join } from 'node:path';
import { InputError } from '../util/errors';
import { exists, readJsonFile } from '../util/fs';
import { info } from '../util/log';
import { readHetrecItems } from './hetrecItems';
import { readPickledSessions } from './pickleSessions';
import type { ImportContext, ImportedData } from './importer';
import type { Item, Session } from './types';

export interface AuthorsLayout {
  /** Prefix of the pickles relative to the root: "official/" or "". */
  sessions: string;
  /** Prefix of the .dat files relative to the root: "raw/" or "". */
  items: string;
}

/** Finds the pickles and the .dat files in either layout, or null when this is not an authors' folder. */
export async function authorsLayout(root: string): Promise<AuthorsLayout | null> {
  let sessions: string | null = null;
  for (const p of ['official/', '']) if (sessions === null && (await exists(join(root, p, 'example_train.txt')))) sessions = p;
  let items: string | null = null;
  for (const p of ['raw/', '']) if (items === null && (await exists(join(root, p, 'movies.dat')))) items = p;
  return sessions !== null && items !== null ? { sessions, items } : null;
}

export async function importAuthors(ctx: ImportContext): Promise<ImportedData> {
  const layout = await authorsLayout(ctx.root);
  if (!layout) {
    throw new InputError('not an authors\' folder: expected example_train.txt (in official/ or the folder) and movies.dat (in raw/ or the folder)', ctx.root);
  }
  const { items, files, notes } = await readHetrecItems({ dir: join(ctx.root, layout.items), prefix: layout.items }, ctx.badRows);
  info(ctx.logger, `authors: ${items.size} items from ${layout.items}movies.dat`);

  const split = async (origin: 'train' | 'test', required: boolean): Promise<Session[]> => {
    const name = `${layout.sessions}example_${origin}.txt`;
    const path = join(ctx.root, name);
    if (!(await exists(path))) {
      if (required) throw new InputError('missing session pickle', name);
      notes.push(`${name} not found: the ${origin} split is empty`);
      return [];
    }
    const sessions = await readPickledSessions(path, name, origin, items, ctx.badRows);
    files.push(name);
    info(ctx.logger, `authors: ${sessions.length} ${origin} sessions from ${name}`);
    const textName = `${layout.sessions}example_${origin}_text.json`;
    if (await exists(join(ctx.root, textName))) {
      notes.push(...(await checkPromptLabels(join(ctx.root, textName), textName, origin, sessions, items)));
      files.push(textName);
    }
    return sessions;
  };
  const train = await split('train', true);
  const test = await split('test', false);
  return { items, train, test, files, notes };
}

/**
 * Compares each prompt file label with the title of the pickled target at the same index.
 * Returns report notes (one summary line, plus a few mismatches if any).
 */
export async function checkPromptLabels(
  path: string,
  displayName: string,
  origin: string,
  sessions: Session[],
  items: Map<string, Item>,
): Promise<string[]> {
  const byId = new Map(sessions.map((s) => [s.id, s]));
  let data: unknown;
  try {
    data = await readJsonFile(path);
  } catch (err) {
    throw new InputError((err as Error).message.replace(path + ': ', ''), displayName);
  }
  if (!Array.isArray(data)) throw new InputError('expected a JSON array of {"prompt", "label"}', displayName);
  const mismatches: string[] = [];
  let checked = 0;
  data.forEach((entry: unknown, i: number) => {
    const label = (entry as { label?: unknown } | null)?.label;
    if (typeof label !== 'string') {
      mismatches.push(`[${i}]: no string "label"`);
      return;
    }
    const session = byId.get(`${origin}-${i}`);
    if (!session) {
      mismatches.push(`[${i}]: no pickled session at this index`);
      return;
    }
    checked++;
    const title = items.get(session.target)?.title;
    if (label.trim() !== title) mismatches.push(`[${i}]: label "${label}" but target ${session.target} is "${title}"`);
  });
  const notes = [`${displayName}: ${checked} prompt labels checked against the pickled targets, ${mismatches.length} mismatch(es)`];
  for (const m of mismatches.slice(0, 5)) notes.push(`${displayName}${m}`);
  return notes;
}
