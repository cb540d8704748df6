/**
 * One entry per dataset format (src/core/config/datasetFormats.ts): how to recognise a folder of
 * that format, what the error says it expects, and the importer. detect.ts and
 * load.ts read only this table, so a new importer is its module plus one entry here and its id.
 */
import { join } from 'node:path';
import type { Re2llmConfig } from '../config/defaults';
import type { DatasetFormat } from '../config/datasetFormats';
import { exists } from '../util/fs';
import { authorsLayout, importAuthors } from './authors';
import { importCsv } from './csv';
import { importJsonl, isJsonlFolder } from './jsonl';
import { importRecbole, recboleName } from './recbole';
import type { ImportContext, ImportedData } from './importer';

/** The settings detection depends on. */
export type DetectSettings = Pick<Re2llmConfig['dataset'], 'csvInteractions'>;

export interface DatasetImporter {
  /** True when the folder holds this format's files (for `dataset.format: "auto"`). */
  recognises(root: string, settings: DetectSettings): Promise<boolean>;
  /** What the folder must hold, for the "cannot recognise" message. */
  expects(settings: DetectSettings): string;
  read(ctx: ImportContext): Promise<ImportedData>;
}

export const IMPORTERS = {
  jsonl: {
    recognises: (root) => isJsonlFolder(root),
    expects: () => 'items.jsonl + sessions_train.jsonl',
    read: importJsonl,
  },
  authors: {
    recognises: async (root) => Boolean(await authorsLayout(root)),
    expects: () => 'example_train.txt + movies.dat',
    read: importAuthors,
  },
  recbole: {
    recognises: async (root) => Boolean(await recboleName(root)),
    expects: () => 'a <name>.inter + <name>.item pair',
    read: importRecbole,
  },
  csv: {
    recognises: (root, settings) => exists(join(root, settings.csvInteractions)),
    expects: (settings) => `${settings.csvInteractions} + an items CSV`,
    read: importCsv,
  },
} satisfies Record<DatasetFormat, DatasetImporter>;
