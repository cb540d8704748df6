/**
 * The two files of a study: the study file a researcher writes (`*.study.json`, schema
 * `schemas/study.schema.json`) and the `study.json` that `re2llm study` writes into the study
 * folder (schema `schemas/study-results.schema.json`), read by the CLI, the study panel and the
 * HTML report. Types only, plus small guards.
 */
export const STUDY_RESULTS_SCHEMA_VERSION = 1;

/** Settings as dotted keys ("agent.steps": 600) or nested objects, as in a config layer. */
export type SettingValues = Record<string, unknown>;

/** One ablation: a name and the settings it overrides (applied after the axes). */
export interface StudyVariant {
  name: string;
  /** A short description for tables and captions. */
  description?: string;
  settings: SettingValues;
}

/** What a comparison's side refers to: a condition, in a variant (default: the same variant). */
export interface ComparisonSide {
  condition: string;
  variant?: string;
}

export interface StudyComparison {
  /** Shown in tables; default "a vs b". */
  name?: string;
  a: ComparisonSide;
  b: ComparisonSide;
  /** Default: the study's first metric. */
  metric?: string;
}

export type StudyFigure =
  | { kind: 'heatmap'; title?: string; x: string; y: string; condition: string; variant?: string; metric?: string }
  | { kind: 'curves'; title?: string; x: string; metric?: string; lines: Array<{ condition: string; variant?: string; label?: string; dashed?: boolean }> };

/** The study file. */
export interface StudyFile {
  $schema?: string;
  name: string;
  description?: string;
  base: {
    /** A re2llm.config.json, relative to the study file. */
    config?: string;
    /** Inline settings on top of the config file (relative paths: against the study file). */
    settings?: SettingValues;
  };
  /** "simulated": start the in-process simulated LLM (as `re2llm demo` does); "config": the base config's endpoint. */
  llm?: 'simulated' | 'config';
  /** Setting path -> the values it takes; the grid is their Cartesian product. */
  axes?: Record<string, unknown[]>;
  seeds?: { vary: Array<'agent.seed' | 'dataset.seed' | 'evaluation.seed'>; values: number[] };
  variants?: StudyVariant[];
  /** Metrics to report (default NDCG@10, HR@10). */
  metrics?: string[];
  /** Conditions to tabulate (default: every condition the cells evaluated). */
  conditions?: string[];
  comparisons?: StudyComparison[];
  figures?: StudyFigure[];
  study?: { parallel?: number; bootstrap?: number };
}

// ---- study.json ---------------------------------------------------------------------------------

/** One cell of the grid: one point of the axes, one variant, one seed replicate. */
export interface StudyCellInfo {
  id: string;
  /** Human label: "reflection.targetHints=5, dataset.maxTrainSessions=100 | full | seed 1". */
  label: string;
  axes: Record<string, unknown>;
  variant: string;
  seed: number | null;
  /** The cells that differ only in the seed share a group. */
  group: string;
  status: 'done' | 'pending' | 'failed' | 'skipped';
  /** The evaluation run folder (results.json, predictions.jsonl), once done. */
  evalDir?: string;
  reportPath?: string;
  /** LLM calls this cell made when it ran (0 when every answer was cached), from its state file. */
  calls?: number;
  seconds?: number;
  error?: string;
}

/** Mean, sample sd and a 95% t-interval over the seeds of a group. */
export interface SeedEstimate {
  mean: number;
  sd: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  n: number;
  values: number[];
}

export interface StudyGroupResult {
  id: string;
  label: string;
  axes: Record<string, unknown>;
  variant: string;
  cells: string[];
  /** condition -> metric -> estimate over seeds. */
  metrics: Record<string, Record<string, SeedEstimate>>;
}

export interface StudyComparisonResult {
  name: string;
  a: Required<ComparisonSide>;
  b: Required<ComparisonSide>;
  metric: string;
  axes: Record<string, unknown>;
  /** Mean over sessions of the per-session differences a - b (each averaged over the seeds that scored it). */
  diff: number;
  ciLow: number;
  ciHigh: number;
  /** Sessions (distinct session ids; each is one resampling unit of the bootstrap). */
  n: number;
  seeds: number;
}

export interface StudyResults {
  schemaVersion: typeof STUDY_RESULTS_SCHEMA_VERSION;
  name: string;
  description?: string;
  studyFile: string;
  createdAt: string;
  packageVersion: string;
  axes: Record<string, unknown[]>;
  variants: string[];
  seeds: { vary: string[]; values: number[] };
  metrics: string[];
  conditions: string[];
  cells: StudyCellInfo[];
  groups: StudyGroupResult[];
  comparisons: StudyComparisonResult[];
  figures: StudyFigure[];
  /** How the numbers were computed, in words (for captions and readers). */
  methods: { seedInterval: string; comparison: string };
  /**
   * calls: made by this invocation of the study (0 when every cell was already finished);
   * cellCalls: what the finished cells made when they ran; estimate: the upper bound for the
   * cells this invocation had to run; seconds: this invocation's wall time.
   */
  usage: { calls: number; cellCalls: number; estimate: number | null; seconds: number };
  complete: boolean;
}

export function isStudyResults(v: unknown): v is StudyResults {
  const r = v as StudyResults;
  return !!r && typeof r === 'object' && r.schemaVersion === STUDY_RESULTS_SCHEMA_VERSION && typeof r.name === 'string'
    && Array.isArray(r.cells) && Array.isArray(r.groups) && Array.isArray(r.comparisons);
}

/** The per-cell state file (`cells/<id>/cell.json`), written atomically at every transition. */
export interface CellState {
  id: string;
  status: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt?: string;
  evalDir?: string;
  reportPath?: string;
  calls?: number;
  seconds?: number;
  error?: string;
}

export function isCellState(v: unknown): v is CellState {
  const c = v as CellState;
  return !!c && typeof c === 'object' && typeof c.id === 'string' && (c.status === 'running' || c.status === 'done' || c.status === 'failed');
}

// ---- Presentation rules shared by the study panel, study.html and the table exports ----------

/** The group of `variant` (default: the first) at the axis values given; undefined if none or several. */
export function groupAt(r: StudyResults, axes: Record<string, unknown>, variant?: string): StudyGroupResult | undefined {
  const v = variant ?? r.variants[0];
  const matching = r.groups.filter((g) => g.variant === v && Object.entries(axes).every(([k, x]) => JSON.stringify(g.axes[k]) === JSON.stringify(x)));
  return matching.length === 1 ? matching[0] : undefined;
}

/** One point of a figure: the estimate of a condition and metric in the group at those axis values. */
export function figureValue(r: StudyResults, axes: Record<string, unknown>, condition: string, variant: string | undefined, metric: string): SeedEstimate | undefined {
  return groupAt(r, axes, variant)?.metrics[condition]?.[metric];
}

/** How an axis value is shown (strings as they are, everything else as JSON). */
export function axisValueLabel(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

// ---- The study panel's messages (host <-> webview/study) ----------------------------------------

/** Host -> webview: the complete state to draw (always a full snapshot). */
export type StudyNotification = { type: 'study/show'; results: StudyResults; running: boolean };

/** Webview -> host. */
export type StudyCommand =
  | { type: 'study/ready' }
  /** Open one cell's results panel. */
  | { type: 'study/openCell'; cellId: string };

export function isStudyCommand(v: unknown): v is StudyCommand {
  const m = v as StudyCommand;
  if (!m || typeof m !== 'object') return false;
  switch (m.type) {
    case 'study/ready':
      return true;
    case 'study/openCell':
      return typeof m.cellId === 'string' && /^[0-9a-f]{12}$/.test(m.cellId);
    default:
      return false;
  }
}
