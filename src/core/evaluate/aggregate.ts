/**
 * From per-session records to the numbers in results.json: metric means with bootstrap 95% CIs,
 * answer-quality rates, usage, and paired randomization tests between conditions. The metric
 * formulas themselves live in `src/core/metrics/` (one definition for the whole project).
 *
 * Answer-quality rates are shares of answers (LLM conditions; 0 for baselines):
 *   parseFailure  = answers in which the parser found no list at all;
 *   hallucination = answers with at least one line that names no candidate;
 *   duplicates    = answers that name some candidate twice;
 *   invalidOutput = answers with any of the above (not a clean list of distinct candidates).
 */
import type { ConditionResult, MetricTable, PairedComparison } from '../../protocol/results';
import { Rng } from '../util/rng';
import { bootstrapCI, holmAdjust, metricFn, metricNames, metricValues, pairedRandomizationTest } from '../metrics';
import type { ConditionRun, PredictionRecord } from './records';

/** Per-session value of one named metric ("HR@5", "NDCG@10", "MRR") for a target rank. */
export function metricValue(name: string, rank: number | null): number {
  return metricFn(name)(rank);
}

export function metricSeries(records: readonly PredictionRecord[], name: string): number[] {
  return metricValues(records.map((r) => r.targetRank), name);
}

export interface AggregateOptions {
  ks: number[];
  /** Bootstrap and randomization resamples. */
  resamples: number;
  seed: number;
}

export function answerRates(records: readonly PredictionRecord[]): ConditionResult['rates'] {
  const answers = records.filter((r) => r.stats);
  if (answers.length === 0) return { invalidOutput: 0, hallucination: 0, parseFailure: 0, duplicates: 0 };
  let invalid = 0;
  let halluc = 0;
  let parse = 0;
  let dup = 0;
  for (const r of answers) {
    const s = r.stats!;
    const p = s.unparsable;
    const h = s.hallucinated > 0;
    const d = s.duplicates > 0;
    if (p) parse++;
    if (h) halluc++;
    if (d) dup++;
    if (p || h || d) invalid++;
  }
  const n = answers.length;
  return { invalidOutput: invalid / n, hallucination: halluc / n, parseFailure: parse / n, duplicates: dup / n };
}

export function summariseCondition(run: ConditionRun, opts: AggregateOptions): ConditionResult {
  const metrics: MetricTable = {};
  for (const name of metricNames(opts.ks)) {
    // The same stream for every metric of a condition: each metric is computed on the same
    // resampled session sets, so HR@1 and NDCG@1 (equal per session) get equal intervals.
    const rng = Rng.derive(opts.seed, `bootstrap/${run.condition}`);
    metrics[name] = bootstrapCI(metricSeries(run.records, name), rng, opts.resamples);
  }
  return {
    condition: run.condition,
    n: run.records.length,
    metrics,
    rates: answerRates(run.records),
    failures: run.records.filter((r) => r.failure).length,
    usage: { ...run.usage },
    ...(run.hintId !== undefined ? { hintId: run.hintId } : {}),
  };
}

/** The metric the paired tests use: `base`@10 if 10 is a cut-off, else at the largest K. */
export function comparisonMetrics(ks: readonly number[]): string[] {
  const k = ks.includes(10) ? 10 : Math.max(...ks);
  return [`NDCG@${k}`, `HR@${k}`];
}

/**
 * Paired randomization tests on the same sessions: the agent against every other condition
 * (a = agent), or, without an agent, every other condition against no-hint (b = no-hint), so
 * `diff` is always "the method minus what it is compared with". Records are paired by session id
 * on the sessions both conditions scored.
 */
export function pairedComparisons(runs: readonly ConditionRun[], opts: AggregateOptions): PairedComparison[] {
  const byName = new Map(runs.map((r) => [r.condition, r]));
  const agent = byName.get('agent');
  const base = byName.get('no-hint');
  const pairs: [ConditionRun, ConditionRun][] = agent
    ? runs.filter((r) => r !== agent).map((r) => [agent, r])
    : base
      ? runs.filter((r) => r !== base).map((r) => [r, base])
      : [];
  const out: PairedComparison[] = [];
  for (const [a, b] of pairs) {
    const [ra, rb] = alignBySession(a.records, b.records);
    if (ra.length === 0) continue;
    for (const metric of comparisonMetrics(opts.ks)) {
      const rng = Rng.derive(opts.seed, `paired/${a.condition}/${b.condition}/${metric}`);
      const { diff, pValue } = pairedRandomizationTest(metricSeries(ra, metric), metricSeries(rb, metric), rng, opts.resamples);
      out.push({ a: a.condition, b: b.condition, metric, diff, pValue, n: ra.length });
    }
  }
  // One family of tests per evaluation: report the Holm-adjusted p-value beside the raw one.
  const adjusted = holmAdjust(out.map((c) => c.pValue));
  return out.map((c, i) => ({ ...c, pHolm: adjusted[i]! }));
}

function alignBySession(a: readonly PredictionRecord[], b: readonly PredictionRecord[]): [PredictionRecord[], PredictionRecord[]] {
  const bById = new Map(b.map((r) => [r.sessionId, r]));
  const ra: PredictionRecord[] = [];
  const rb: PredictionRecord[] = [];
  for (const r of a) {
    const other = bById.get(r.sessionId);
    if (other) {
      ra.push(r);
      rb.push(other);
    }
  }
  return [ra, rb];
}
