/**
 * Recognises a dataset folder by its files, so `dataset.format: "auto"` (the default) works:
 * JSONL interchange files, then the authors' pickles, then RecBole atomic files, then CSV logs.
 */
import { join } from 'node:path';
import { promises as fsp } from 'node:fs';
import { InputError } from '../util/errors';
import { exists } from '../util/fs';
import { isJsonlFolder } from './jsonl';
import { authorsLayout } from './authors';
import { recboleName } from './recbole';
import type { DatasetFormat } from './importer';

export interface DetectOptions {
  /** CSV interactions file name to look for (dataset.csvInteractions). */
  csvInteractions?: string;
}

export async function detectFormat(folder: string, opts: DetectOptions = {}): Promise<DatasetFormat> {
  let stat;
  try {
    stat = await fsp.stat(folder);
  } catch {
    throw new InputError('dataset folder not found', folder);
  }
  if (!stat.isDirectory()) throw new InputError('dataset path is not a folder', folder);
  if (await isJsonlFolder(folder)) return 'jsonl';
  if (await authorsLayout(folder)) return 'authors';
  if (await recboleName(folder)) return 'recbole';
  if (await exists(join(folder, opts.csvInteractions ?? 'interactions.csv'))) return 'csv';
  throw new InputError(
    'cannot recognise the dataset: expected items.jsonl + sessions_train.jsonl (jsonl), example_train.txt + movies.dat (authors), ' +
      `a <name>.inter + <name>.item pair (recbole), or ${opts.csvInteractions ?? 'interactions.csv'} + an items CSV (csv); or set dataset.format`,
    folder,
  );
}
