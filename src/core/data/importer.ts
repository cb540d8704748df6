/**
 * What every importer receives and returns. `load.ts` turns an ImportedData into the final
 * SessionDataset (validation slice, train cap, content hash), so each importer only reads files.
 */
import type { Re2llmConfig } from '../config/defaults';
import type { Logger } from '../util/log';
import type { Item, Session } from './types';
import type { BadRows } from './badRows';

export type { DatasetFormat } from '../config/datasetFormats';

export interface ImportContext {
  /** Absolute dataset folder. */
  root: string;
  config: Re2llmConfig['dataset'];
  logger: Logger;
  badRows: BadRows;
}

export interface ImportedData {
  items: Map<string, Item>;
  train: Session[];
  /** Absent when the source has no validation split of its own: load.ts slices one from train. */
  validation?: Session[];
  test: Session[];
  /** Files read, relative to the dataset root. */
  files: string[];
  notes: string[];
}
