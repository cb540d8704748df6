/**
 * The shape of `results.json`: written by the evaluator, read by the results panel, the HTML
 * report and `re2llm export`. Types only, plus a small guard. The JSON Schema published as
 * `schemas/results.schema.json` describes the same shape.
 */
import { CONDITION_IDS, CONDITIONS, isConditionId } from './conditions';

export const RESULTS_SCHEMA_VERSION = 1;

/** A mean with its bootstrap 95% confidence interval. */
export interface Estimate {
  mean: number;
  ciLow: number;
  ciHigh: number;
}

/** Metric name ("HR@1", "HR@5", "HR@10", "NDCG@5", "NDCG@10", "MRR") to its estimate. */
export type MetricTable = Record<string, Estimate>;

export interface ConditionResult {
  /** A ConditionId (src/protocol/conditions.ts); a string, so a newer file's conditions still load. */
  condition: string;
  /** Sessions scored. */
  n: number;
  metrics: MetricTable;
  /** Shares of answers (0-1); zero for baselines that need no LLM. */
  rates: { invalidOutput: number; hallucination: number; parseFailure: number; duplicates: number };
  usage: { calls: number; cacheHits: number; promptTokens: number; completionTokens: number; cost: number };
  /** For best-fixed-hint: which hint. */
  hintId?: string;
}

/** Paired randomization test of `a` against `b` on one metric over the same sessions. */
export interface PairedComparison {
  a: string;
  b: string;
  metric: string;
  /** mean(a) - mean(b). */
  diff: number;
  pValue: number;
  /** Holm-Bonferroni adjusted p-value over all comparisons of the evaluation (absent in older files). */
  pHolm?: number;
  n: number;
}

export interface TrainingPoint {
  step: number;
  meanReward: number;
  entropy?: number;
  valueLoss?: number;
  /** Greedy policy's mean reward on validation (present at validation points). */
  validationReward?: number;
}

export interface HintStat {
  /** "none" for action 0. */
  id: string;
  text: string;
  /** How often the agent picked it on the test sessions. */
  picks: number;
  /** Mean reward (NDCG@10 with - without) over the sessions where it was picked. */
  meanReward: number | null;
}

/** One session's outcome per condition, for the per-session table and drill-down. */
export interface SessionOutcome {
  sessionId: string;
  targetTitle: string;
  /** condition -> { 1-based rank of the target in the top K, or null if absent; hint id used } */
  byCondition: Record<string, { rank: number | null; hintId?: string }>;
}

export interface RunInfo {
  id: string;
  name?: string;
  starred?: boolean;
  notes?: string;
  createdAt: string;
  dataset: { name: string; hash: string };
  kb?: { path: string; fingerprint: string; hintIds: string[] };
  llm: { baseUrl: string; model: string };
  agentRun?: string;
  packageVersion: string;
  /** The resolved configuration (never contains secrets). */
  config: Record<string, unknown>;
}

export interface ResultsFile {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  run: RunInfo;
  ks: number[];
  conditions: ConditionResult[];
  comparisons: PairedComparison[];
  training?: TrainingPoint[];
  hints: HintStat[];
  sessions: SessionOutcome[];
}

export function isResultsFile(v: unknown): v is ResultsFile {
  const r = v as ResultsFile;
  return !!r && typeof r === 'object' && r.schemaVersion === RESULTS_SCHEMA_VERSION && Array.isArray(r.conditions) && !!r.run && typeof r.run.id === 'string';
}

// ---- Presentation rules shared by the results panel, the HTML report and `re2llm export` ----

/** Human label of a condition id; unknown ids are shown as they are. */
export function conditionLabel(condition: string): string {
  return isConditionId(condition) ? CONDITIONS[condition].label : condition;
}

/** Short label for narrow columns (the session table); unknown ids are shown as they are. */
export function shortConditionLabel(condition: string): string {
  return isConditionId(condition) ? CONDITIONS[condition].shortLabel : condition;
}

/** The oracle picks the best hint knowing the target: an upper bound, never marked best. */
export const UPPER_BOUNDS: ReadonlySet<string> = new Set(CONDITION_IDS.filter((c) => CONDITIONS[c].upperBound));

/** HR@K by K, then NDCG@K by K, then MRR, then any other metric in first-seen order. */
export function orderMetrics(names: Iterable<string>): string[] {
  const rank = (m: string) => {
    const hit = /^(HR|NDCG)@(\d+)$/.exec(m);
    if (hit) return (hit[1] === 'HR' ? 0 : 1000) + Number(hit[2]);
    return m === 'MRR' ? 2000 : 3000;
  };
  return [...new Set(names)].map((m, i) => ({ m, i })).sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i).map((x) => x.m);
}
