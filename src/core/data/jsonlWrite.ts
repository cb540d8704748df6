/**
 * Writes a dataset in the JSONL interchange format (see jsonl.ts). Each file is written
 * atomically. Items with no attributes are written with a title only.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs';
import { JSONL_ITEMS, jsonlSessionsFile } from './jsonl';
import type { Item, Session, SplitName } from './types';

export async function writeJsonlDataset(dir: string, items: Iterable<Item>, splits: Partial<Record<SplitName, Session[]>>): Promise<string[]> {
  const written: string[] = [];
  const itemLines = [...items].map((it) =>
    JSON.stringify(Object.keys(it.attributes).length ? { id: it.id, title: it.title, attributes: it.attributes } : { id: it.id, title: it.title }),
  );
  await writeFileAtomic(join(dir, JSONL_ITEMS), itemLines.join('\n') + '\n');
  written.push(JSONL_ITEMS);
  for (const split of ['train', 'validation', 'test'] as const) {
    const sessions = splits[split];
    if (!sessions) continue;
    const lines = sessions.map((s) => JSON.stringify({ id: s.id, items: s.history, target: s.target, candidates: s.candidates }));
    await writeFileAtomic(join(dir, jsonlSessionsFile(split)), lines.join('\n') + (lines.length ? '\n' : ''));
    written.push(jsonlSessionsFile(split));
  }
  return written;
}
