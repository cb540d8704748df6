/**
 * The hint knowledge base (KB) as a plain JSON document the researcher edits by hand
 * (`re2llm/<dataset>.hints.json`). Its JSON Schema is `schemas/kb.schema.json`.
 * "No hint" is the implicit action 0 and never an entry.
 */

export type HintSource = 'reflection' | 'manual' | 'imported';

export interface HintChecks {
  /** The hint moved the target into the top K (or improved its rank) on its session. */
  effective?: boolean;
  /** Target rank without / with the hint (null: not in the answer). */
  rankBefore?: number | null;
  rankAfter?: number | null;
  /** Id of a KB hint it repeats (null: none). */
  redundantWith?: string | null;
  /** The hint names the target or a candidate title. */
  leak?: boolean;
}

export interface HintProvenance {
  session?: string;
  model?: string;
  createdAt?: string;
  /** For imported hints: the file they came from. */
  file?: string;
  checks?: HintChecks;
  [extra: string]: unknown;
}

export interface KbHint {
  /** Stable id, `h-...`; what trained agents and evaluations refer to. */
  id: string;
  text: string;
  /** Missing in the file means true. */
  enabled?: boolean;
  /** Missing in the file means "manual". */
  source?: HintSource;
  provenance?: HintProvenance;
  notes?: string;
}

export interface HintKb {
  $schema?: string;
  version: 1;
  dataset?: string;
  hints: KbHint[];
}

/** One action of the agent: index 0 is always {id: 'none', text: ''}. */
export interface ActionHint {
  id: string;
  text: string;
}

export const NO_HINT: ActionHint = Object.freeze({ id: 'none', text: '' });

/**
 * The schema's $id (an identifier, not a location: it does not resolve). Never written into a KB:
 * VS Code would try to download it. The extension's `jsonValidation` associates
 * schemas/kb.schema.json with every `*.hints.json` offline.
 */
export const KB_SCHEMA_REF = 'https://re2llm-studio.invalid/schemas/kb.schema.json';

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/**
 * A finding about a KB file, as plain data: the CLI prints it, the extension maps it to a
 * VS Code diagnostic (range = character offsets into the text) and offers quick fixes by code.
 */
export interface Diagnostic {
  severity: DiagnosticSeverity;
  message: string;
  /** JSON path of the offending value, e.g. ['hints', 3, 'text']. */
  path: (string | number)[];
  /** Character offsets into the text, end exclusive. */
  range: { start: number; end: number };
  /**
   * 'parse' | 'schema' | 'duplicate-id' | 'duplicate-text' | 'near-duplicate' | 'empty' |
   * 'overlong' | 'leak' | 'dataset-mismatch' | 'control-characters'
   */
  code: DiagnosticCode;
  /** For duplicates: the id of the earlier hint this one repeats. */
  relatedHintId?: string;
}

export type DiagnosticCode =
  | 'parse'
  | 'schema'
  | 'duplicate-id'
  | 'duplicate-text'
  | 'near-duplicate'
  | 'empty'
  | 'overlong'
  | 'leak'
  | 'dataset-mismatch'
  | 'control-characters';

export function isEnabled(h: KbHint): boolean {
  return h.enabled !== false;
}

export function emptyKb(dataset?: string): HintKb {
  return { version: 1, ...(dataset ? { dataset } : {}), hints: [] };
}
