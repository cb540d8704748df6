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
import type { ConditionResult, MetricTable, PairedComparison, StatisticsInfo } from '../../protocol/results';
import { Rng } from '../util/rng';
import { InputError } from '../util/errors';
import { bootstrapCI, holmAdjust, mean, metricFn, metricNames, minimumDetectableEffect, pairedEstimate } from '../metrics';
import type { ConditionRun, PredictionRecord } from './records';

/** Per-session value of one named metric ("HR@5", "NDCG@10", "MRR") for a target rank. */
export function metricValue(name: string, rank: number | null): number {
  return metricFn(name)(rank);
}

/**
 * Per-session values of a metric; a record that carries `expectedOver` (random-hint as an exact
 * expectation) contributes the mean of the metric over those ranks.
 */
export function metricSeries(records: readonly PredictionRecord[], name: string): number[] {
  const fn = metricFn(name);
  return records.map((r) => (r.expectedOver ? mean(r.expectedOver.map((x) => fn(x))) : fn(r.targetRank)));
}

export interface AggregateOptions {
  ks: number[];
  /** Bootstrap resamples (marginal intervals and the paired difference's interval). */
  resamples: number;
  /** Sign-flip resamples of the paired tests (default: `resamples`, as before the setting existed). */
  permutations?: number;
  seed: number;
  /** The declared primary family: "a:b" pairs, tested on `primaryMetric` and Holm-adjusted together. */
  primary?: readonly string[];
  primaryMetric?: string;
}

/** The default primary family: the agent against the three LLM references, on NDCG@10. */
export const DEFAULT_PRIMARY = ['agent:no-hint', 'agent:random-hint', 'agent:best-fixed-hint'] as const;
export const MDE_POWER = 0.8;
const ALPHA = 0.05;

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

/** The metrics the paired tests use: NDCG and HR at 10 if 10 is a cut-off, else at the largest K. */
export function comparisonMetrics(ks: readonly number[]): string[] {
  const k = ks.includes(10) ? 10 : Math.max(...ks);
  return [`NDCG@${k}`, `HR@${k}`];
}

/** Parses "agent:no-hint" pairs, naming the setting on a bad entry. */
export function parsePrimary(pairs: readonly string[]): Array<{ a: string; b: string }> {
  return pairs.map((p) => {
    const m = /^\s*([\w-]+)\s*:\s*([\w-]+)\s*$/.exec(p);
    if (!m || m[1] === m[2]) throw new InputError(`"${p}" is not a comparison "a:b" of two different conditions (e.g. "agent:no-hint")`, undefined, undefined, 'evaluation.primary');
    return { a: m[1]!, b: m[2]! };
  });
}

/**
 * Paired comparisons on the same sessions (records paired by session id), `diff` always "the
 * method minus what it is compared with": the agent against every other condition, and every
 * other condition against no-hint (the "Δ vs no-hint" of each row). Each gets the mean
 * difference with its paired bootstrap interval, the per-session SD and a sign-flip p-value.
 *
 * Only the declared primary family (default: agent vs no-hint, random-hint and best-fixed-hint on
 * NDCG@10) is Holm-adjusted, within itself: those are the hypotheses the evaluation is for. Every
 * other comparison is secondary: unadjusted and labelled so, to be read as exploratory.
 */
export function pairedComparisons(runs: readonly ConditionRun[], opts: AggregateOptions): PairedComparison[] {
  const byName = new Map(runs.map((r) => [r.condition, r]));
  const agent = byName.get('agent');
  const base = byName.get('no-hint');
  const pairs: [ConditionRun, ConditionRun][] = [];
  if (agent) for (const r of runs) if (r !== agent) pairs.push([agent, r]);
  if (base) for (const r of runs) if (r !== base && r !== agent) pairs.push([r, base]);
  const primary = parsePrimary(opts.primary ?? DEFAULT_PRIMARY);
  const primaryMetric = opts.primaryMetric ?? comparisonMetrics(opts.ks)[0]!;
  const isPrimary = (a: string, b: string, metric: string): boolean => metric === primaryMetric && primary.some((p) => p.a === a && p.b === b);
  const metrics = [...new Set([primaryMetric, ...comparisonMetrics(opts.ks)])];
  const out: PairedComparison[] = [];
  for (const [a, b] of pairs) {
    const [ra, rb] = alignBySession(a.records, b.records);
    if (ra.length === 0) continue;
    for (const metric of metrics) {
      const label = `${a.condition}/${b.condition}/${metric}`;
      const est = pairedEstimate(metricSeries(ra, metric), metricSeries(rb, metric), {
        bootstrap: Rng.derive(opts.seed, `paired-ci/${label}`),
        permutation: Rng.derive(opts.seed, `paired/${label}`),
      }, { resamples: opts.resamples, permutations: opts.permutations ?? opts.resamples, alpha: ALPHA });
      out.push({
        a: a.condition,
        b: b.condition,
        metric,
        diff: est.diff,
        pValue: est.pValue,
        n: est.n,
        ciLow: est.ciLow,
        ciHigh: est.ciHigh,
        sd: est.sd,
        family: isPrimary(a.condition, b.condition, metric) ? 'primary' : 'secondary',
        permutations: opts.permutations ?? opts.resamples,
      });
    }
  }
  const family = out.filter((c) => c.family === 'primary');
  const adjusted = holmAdjust(family.map((c) => c.pValue));
  family.forEach((c, i) => (c.pHolm = adjusted[i]!));
  return out;
}

/** The statistics block of results.json: methods, the primary family and the MDEs. */
export function statisticsInfo(comparisons: readonly PairedComparison[], opts: AggregateOptions): StatisticsInfo {
  const primaryMetric = opts.primaryMetric ?? comparisonMetrics(opts.ks)[0]!;
  const primary = comparisons.filter((c) => c.family === 'primary');
  const mdeOf = primary.length ? primary : comparisons.filter((c) => c.b === 'no-hint' && c.metric === primaryMetric);
  return {
    ciMethod: 'percentile-bootstrap',
    bootstrap: opts.resamples,
    permutations: opts.permutations ?? opts.resamples,
    alpha: ALPHA,
    primaryMetric,
    primary: primary.map((c) => `${c.a} vs ${c.b}`),
    mde: mdeOf.map((c) => ({ a: c.a, b: c.b, metric: c.metric, n: c.n, sd: c.sd ?? NaN, mde: minimumDetectableEffect(c.sd ?? NaN, c.n, { alpha: ALPHA, power: MDE_POWER }), power: MDE_POWER })),
  };
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
