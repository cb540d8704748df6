/**
 * The one interchange form every importer produces and everything downstream reads.
 * Nothing after import knows which importer ran.
 */

/**
 * Item attributes: a family name (e.g. "genres", "year", "directors") to its values. Created
 * without a prototype (attributes.ts), so families named `__proto__` or `constructor` are kept.
 */
export type ItemAttributes = Record<string, string[]>;

export interface Item {
  /** Stable id as a string (numeric ids from pickles are stringified). */
  id: string;
  /** What the LLM sees. HTML entities already decoded. */
  title: string;
  /** May be empty: items with a title only must work everywhere. */
  attributes: ItemAttributes;
}

/** One session example: the items touched in order, the true next item and the 50 candidates. */
export interface Session {
  id: string;
  /** Oldest first; the full history (truncation for prompts happens in the prompt builder). */
  history: string[];
  target: string;
  /** Includes the target; order is what the LLM is shown. */
  candidates: string[];
}

export type SplitName = 'train' | 'validation' | 'test';

/** Words that make the prompt fit the domain ("movie"/"watched", "game"/"played", ...). */
export interface DomainWords {
  /** Singular noun for an item, e.g. "movie". */
  item: string;
  /** Plural noun, e.g. "movies". */
  items: string;
  /** Past-tense verb for an interaction, e.g. "watched". */
  verb: string;
}

export interface ImportReport {
  /** Which importer read it (a DatasetFormat, src/core/config/datasetFormats.ts). */
  format: string;
  /** Files read, relative to the dataset root. */
  files: string[];
  /** Rows skipped with --skip-bad-rows, with the first few reasons. */
  skippedRows: number;
  skippedExamples: string[];
  /** Free-form notes the user should see (e.g. "validation sliced from train: 50 sessions"). */
  notes: string[];
  /** Titles shared by more than one item (`titles` distinct titles over `items` items). */
  titleCollisions?: { titles: number; items: number };
}

export interface SessionDataset {
  /** Short name (folder name or config name); used in file names such as `<name>.hints.json`. */
  name: string;
  /** Absolute path of the dataset root. */
  root: string;
  domain: DomainWords;
  items: Map<string, Item>;
  splits: Record<SplitName, Session[]>;
  /** sha256 of the canonical content (items + splits); goes into every run manifest. */
  hash: string;
  /**
   * How prompts show items whose title another item shares (data/titles.ts), when
   * `prompt.disambiguateTitles` is on; absent entries (and an absent map) show the title.
   */
  promptTitles?: ReadonlyMap<string, string>;
  report: ImportReport;
}

export const DEFAULT_DOMAIN: DomainWords = { item: 'movie', items: 'movies', verb: 'watched' };
