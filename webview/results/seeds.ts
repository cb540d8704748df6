/**
 * A run repeated over seeds (`re2llm run --seeds 1..3`, or any runs that differ only in their
 * seeds): mean ± sample SD (n − 1) over the runs of every condition's metric and of every paired
 * Δ the runs share. Recognised from the runs' own configs, so it works wherever several such runs
 * are shown together (a seeds folder opened in the results panel, Compare Runs, the report).
 * The SD is over runs, not sessions: it says how much the result moves with the seed.
 */
import type { ResultsFile } from '../../src/protocol/results';
import { configDiff } from './model';

/** The settings a seeds run varies (src/core/study's `seeds.vary` choices). */
export const SEED_KEYS: ReadonlySet<string> = new Set(['agent.seed', 'dataset.seed', 'evaluation.seed']);
/**
 * Differences that do not make two runs different experiments: where their files went (a study
 * gives every cell its own folders) and the simulator's loopback port; and, when the dataset seed
 * varies, the dataset hash and KB it changes along with the splits (the same reflection settings
 * over other training sessions).
 */
const followsAnySeed = (key: string): boolean => key.startsWith('output.') || key === 'llm.baseUrl';
const FOLLOWS_DATASET_SEED: ReadonlySet<string> = new Set(['kb.fingerprint', 'dataset.hash']);

export interface OverSeeds {
  mean: number;
  /** Sample SD over runs; null with one value. */
  sd: number | null;
  n: number;
  values: number[];
}

export interface SeedsSummary {
  /** The seed settings that differ, with each run's value (in run order). */
  vary: Array<{ key: string; values: string[] }>;
  n: number;
  /** Per condition (in the first run's order), per metric. */
  conditions: Array<{ condition: string; metrics: Record<string, OverSeeds> }>;
  /** Paired Δ every run has (a vs b on a metric): its mean over runs and the SD over runs. */
  deltas: Array<{ a: string; b: string; metric: string; over: OverSeeds }>;
}

export function overSeeds(values: number[]): OverSeeds {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : null;
  return { mean, sd, n, values: [...values] };
}

/** The summary when `runs` (two or more) differ in at least one seed and in nothing else that shapes results; else undefined. */
export function seedsSummary(runs: ResultsFile[]): SeedsSummary | undefined {
  if (runs.length < 2) return undefined;
  const all = configDiff(runs).filter((d) => !followsAnySeed(d.key));
  const datasetSeedVaries = all.some((d) => d.key === 'dataset.seed');
  const diff = all.filter((d) => !(datasetSeedVaries && FOLLOWS_DATASET_SEED.has(d.key)));
  const vary = diff.filter((d) => SEED_KEYS.has(d.key));
  if (vary.length === 0 || vary.length !== diff.length) return undefined;
  const ref = runs[0]!;
  const conditions = ref.conditions
    .filter((c) => runs.every((r) => r.conditions.some((x) => x.condition === c.condition)))
    .map((c) => {
      const metrics: Record<string, OverSeeds> = {};
      for (const m of Object.keys(c.metrics)) {
        const values = runs.map((r) => r.conditions.find((x) => x.condition === c.condition)?.metrics[m]?.mean);
        if (values.every((v): v is number => typeof v === 'number')) metrics[m] = overSeeds(values);
      }
      return { condition: c.condition, metrics };
    });
  const deltas = ref.comparisons.flatMap((p) => {
    const values = runs.map((r) => r.comparisons.find((x) => x.a === p.a && x.b === p.b && x.metric === p.metric)?.diff);
    return values.every((v): v is number => typeof v === 'number') ? [{ a: p.a, b: p.b, metric: p.metric, over: overSeeds(values) }] : [];
  });
  return { vary, n: runs.length, conditions, deltas };
}
