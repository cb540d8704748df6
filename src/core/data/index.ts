/** The data layer's public surface: load any dataset folder into the one SessionDataset form. */
export * from './types';
export { loadDataset, type LoadOptions } from './load';
export { detectFormat, type DetectOptions } from './detect';
export type { DatasetFormat } from './importer';
export { datasetHash } from './hash';
export { writeJsonlDataset } from './jsonlWrite';
export { JSONL_ITEMS, jsonlSessionsFile } from './jsonl';
