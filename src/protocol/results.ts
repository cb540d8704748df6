/**
 * The shape of `results.json`: written by the evaluator, read by the results panel, the HTML
 * report and `re2llm export`. Types only, plus a small guard. The JSON Schema published as
 * `schemas/results.schema.json` describes the same shape.
 */
import { CONDITION_IDS, CONDITIONS, isConditionId } from './conditions';

export const RESULTS_SCHEMA_VERSION = 2;
/**
 * Versions this code reads. 1: before paired intervals, test families and baseline records (its
 * files lack those optional members; `pHolm` there is over every test of the file). 2: adds them.
 */
export const READABLE_RESULTS_VERSIONS: readonly number[] = [1, 2];

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
  /** LLM answers that failed for good (scored as "target not found"; absent in older files). */
  failures?: number;
}

/** Paired comparison of `a` against `b` on one metric over the same sessions. */
export interface PairedComparison {
  a: string;
  b: string;
  metric: string;
  /** mean(a) - mean(b) = the mean per-session difference. */
  diff: number;
  /** Sign-flip permutation p-value, (b + 1) / (B + 1) with B = `permutations`. */
  pValue: number;
  /**
   * Holm-Bonferroni adjusted p-value. Schema 2: only for the primary family, adjusted within it;
   * schema 1: over every comparison of the file.
   */
  pHolm?: number;
  n: number;
  /** Schema 2: percentile-bootstrap 95% interval of the mean per-session difference. */
  ciLow?: number;
  ciHigh?: number;
  /** Schema 2: sample SD of the per-session differences (what the MDE and the planner use). */
  sd?: number;
  /** Schema 2: "primary" (the declared family, Holm-adjusted) or "secondary" (unadjusted, exploratory). */
  family?: 'primary' | 'secondary';
  /** Schema 2: sign-flip resamples behind pValue. */
  permutations?: number;
}

/** Schema 2: how the comparisons were computed, and what the evaluation could have detected. */
export interface StatisticsInfo {
  /** How the intervals are computed: percentile bootstrap over sessions. */
  ciMethod: 'percentile-bootstrap';
  bootstrap: number;
  permutations: number;
  alpha: number;
  /** The metric of the primary family. */
  primaryMetric: string;
  /** The primary family as "a vs b" pairs that were evaluated (Holm-adjusted together). */
  primary: string[];
  /**
   * Minimum detectable effect of each primary comparison (else of each comparison against
   * no-hint on the primary metric): two-sided, at `alpha`, with 80% power, from the paired SD.
   */
  mde: Array<{ a: string; b: string; metric: string; n: number; sd: number; mde: number; power: number }>;
}

/** Schema 2: how the reference conditions were formed. */
export interface BaselineInfo {
  bestFixedHint?: {
    /** The chosen hint ("none" when no hint beats the base prompt). */
    hintId: string;
    /** Its mean reward (NDCG@K with - without) on the sessions it was chosen on. */
    reward: number;
    /** The split(s) it was chosen on, e.g. "train+validation". */
    chosenOn: string;
    sessions: number;
  };
  randomHint?: {
    /** "expectation": exact mean over the enabled hints per session; "seeded-draw": one draw per session. */
    estimate: 'expectation' | 'seeded-draw';
    hints: number;
    seed: number;
  };
}

/** Schema 2: how the evaluated agent ended its training. */
export interface AgentTrainingInfo {
  steps?: number;
  /** Policy entropy at the last logged update, and its maximum ln(|actions|). */
  finalEntropy?: number;
  maxEntropy: number;
  /** true when finalEntropy > 0.95 · maxEntropy: the policy is close to uniform (under-trained). */
  nearUniform?: boolean;
  /** Which checkpoint was evaluated ("last", "best-validation"). */
  checkpoint?: string;
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
  /** RESULTS_SCHEMA_VERSION when written by this version; older readable versions are accepted. */
  schemaVersion: number;
  run: RunInfo;
  ks: number[];
  conditions: ConditionResult[];
  comparisons: PairedComparison[];
  training?: TrainingPoint[];
  hints: HintStat[];
  sessions: SessionOutcome[];
  /** Schema 2 (absent in version 1 files). */
  statistics?: StatisticsInfo;
  baselines?: BaselineInfo;
  agentTraining?: AgentTrainingInfo;
}

export function isResultsFile(v: unknown): v is ResultsFile {
  const r = v as ResultsFile;
  return !!r && typeof r === 'object' && READABLE_RESULTS_VERSIONS.includes(r.schemaVersion) && Array.isArray(r.conditions) && !!r.run && typeof r.run.id === 'string';
}

/** The comparison of `a` against `b` on `metric`, if the file has it. */
export function findComparison(r: ResultsFile, a: string, b: string, metric: string): PairedComparison | undefined {
  return r.comparisons.find((c) => c.a === a && c.b === b && c.metric === metric);
}

/** The "Δ vs no-hint" of a condition on a metric (every condition is compared with no-hint). */
export function deltaVsNoHint(r: ResultsFile, condition: string, metric: string): PairedComparison | undefined {
  if (condition === 'no-hint') return undefined;
  return findComparison(r, condition, 'no-hint', metric);
}

/** "+0.0169 [-0.0080, +0.0420], p = 0.33" (p Holm-adjusted and marked "Holm" in the primary family). */
export function formatDelta(c: PairedComparison, digits = 4): string {
  const sign = (x: number): string => (x >= 0 ? '+' : '') + x.toFixed(digits);
  const ci = c.ciLow !== undefined && c.ciHigh !== undefined ? ` [${sign(c.ciLow)}, ${sign(c.ciHigh)}]` : '';
  const p = c.family === 'primary' && c.pHolm !== undefined ? `p(Holm) = ${formatP(c.pHolm)}` : `p = ${formatP(c.pValue)}`;
  return `${sign(c.diff)}${ci}, ${p}`;
}

/** A p-value with enough digits to tell 1e-4 from 1e-3. */
export function formatP(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(p < 0.01 ? 4 : 3);
}

/** What every view that puts marginal intervals side by side says under them. */
export const MARGINAL_CI_NOTE =
  'Marginal 95% CIs of each condition are not a test of a difference: the conditions are scored on the same sessions, so compare them with the paired Δ and its interval.';

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
