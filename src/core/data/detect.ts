/**
 * Recognises a dataset folder by its files, so `dataset.format: "auto"` (the default) works: each
 * importer of src/core/data/importers.ts is asked in turn (the order of DATASET_FORMATS).
 */
import { promises as fsp } from 'node:fs';
import { DATASET_FORMAT_IDS, type DatasetFormat } from '../config/datasetFormats';
import { InputError } from '../util/errors';
import { IMPORTERS, type DetectSettings } from './importers';

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
  const settings: DetectSettings = { csvInteractions: opts.csvInteractions ?? 'interactions.csv' };
  for (const format of DATASET_FORMAT_IDS) if (await IMPORTERS[format].recognises(folder, settings)) return format;
  const expected = DATASET_FORMAT_IDS.map((f) => `${IMPORTERS[f].expects(settings)} (${f})`);
  throw new InputError(`cannot recognise the dataset: expected ${expected.slice(0, -1).join(', ')}, or ${expected.at(-1)}; or set dataset.format`, folder);
}
