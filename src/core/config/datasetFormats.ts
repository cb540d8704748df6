/**
 * The dataset formats an importer exists for, in the order `dataset.format: "auto"` tries them
 * (JSONL interchange first: a folder converted to JSONL may still hold its source files). The
 * settings enum, `re2llm import --help`, the extension's format picker and its dataset finder
 * derive from this table; each format's importer and detection live in
 * src/core/data/importers.ts, which fails to compile while a format here has no entry there.
 * Kept apart from the importers so the extension can read it without loading them.
 */
export interface DatasetFormatSpec {
  /** A file name (glob) that marks a folder of this format, for the extension's dataset finder. */
  readonly marker: string;
}

export const DATASET_FORMATS = {
  jsonl: { marker: 'items.jsonl' },
  authors: { marker: 'example_train.txt' },
  recbole: { marker: '*.inter' },
  // The default dataset.csvInteractions: a folder with a renamed interactions file needs a config file.
  csv: { marker: 'interactions.csv' },
} as const satisfies Record<string, DatasetFormatSpec>;

export type DatasetFormat = keyof typeof DATASET_FORMATS;

/** Every format, in detection order. */
export const DATASET_FORMAT_IDS = Object.keys(DATASET_FORMATS) as DatasetFormat[];

/** What `dataset.format` accepts: a format, or "auto" to recognise the folder by its files. */
export const DATASET_FORMAT_CHOICES: Array<'auto' | DatasetFormat> = ['auto', ...DATASET_FORMAT_IDS];
