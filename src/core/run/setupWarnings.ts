/**
 * Warnings about the user's own setup, shown in the sidebar before they cost a run: a KB far
 * short of its target size, candidate sets smaller than `dataset.candidates` (HR@10 on ten
 * candidates is 1 whatever the ranker), and a test sample too small to show the effects this
 * method produces. Plain data in, sentences out; the thresholds are stated in the sentences.
 * With a pilot (the newest evaluation on the dataset), the test-size warning is the sample-size
 * planner's: the effect this many sessions can detect, and the sessions ±PLANNED_EFFECT needs.
 */
import type { ResultsFile } from '../../protocol/results';
import { parsePrimary } from '../evaluate/aggregate';
import { pilotFromResults } from '../metrics/plan';
import { minimumDetectableEffect, sessionsNeeded } from '../metrics/power';

/** What the warnings need to know about the dataset (loaded once per dataset, see Studio). */
export interface DatasetFacts {
  name: string;
  testSessions: number;
  /** Smallest and median candidate-set size over the test sessions. */
  minCandidates: number;
  medianCandidates: number;
  /** Items without attributes (a title-only dataset gives reflection little to generalise from). */
  titleOnly: boolean;
}

export interface SetupInput {
  dataset?: DatasetFacts;
  /** Enabled hints in the KB (undefined: no KB yet). */
  enabledHints?: number;
  targetHints: number;
  /** dataset.candidates */
  candidates: number;
  /** evaluation.testSample (0: all) */
  testSample: number;
  /** prompt.topK: HR@K at K >= the candidate count is 1 for any ranker. */
  topK: number;
  /** The paired SD of the primary comparisons in an earlier evaluation on this dataset. */
  pilot?: PilotFacts;
}

/** The effect the test-size warning plans for: the size of the gains the method shows on the simulator (+0.02 to +0.03 NDCG@10). */
export const PLANNED_EFFECT = 0.02;

export interface PilotFacts {
  run: string;
  metric: string;
  /** The largest paired SD among the primary comparisons (so every one of them gets the power). */
  sd: number;
}

/** `{ pilot }` when there is one (exactOptionalPropertyTypes: no `pilot: undefined`). */
export const withPilot = (pilot: PilotFacts | undefined): { pilot?: PilotFacts } => (pilot ? { pilot } : {});

/** The pilot an evaluation's results give for the primary family (evaluation.primary, primaryMetric). */
export function pilotFacts(results: ResultsFile, primary: readonly string[], metric: string): PilotFacts | undefined {
  const pilot = pilotFromResults(results, parsePrimary(primary), metric).filter((p) => p.n >= 2 && Number.isFinite(p.sd) && p.sd > 0);
  if (!pilot.length) return undefined;
  return { run: results.run.id, metric, sd: Math.max(...pilot.map((p) => p.sd)) };
}

/** Sessions below which a paired test separates only large differences (a rule of thumb, said so). */
export const FEW_TEST_SESSIONS = 100;

export function datasetFacts(ds: { name: string; items: Map<string, { attributes?: Record<string, unknown> }>; splits: { test: { candidates: string[] }[] } }): DatasetFacts {
  const sizes = ds.splits.test.map((s) => s.candidates.length).sort((a, b) => a - b);
  let withAttributes = 0;
  for (const it of ds.items.values()) if (it.attributes && Object.keys(it.attributes).length) withAttributes++;
  return {
    name: ds.name,
    testSessions: sizes.length,
    minCandidates: sizes[0] ?? 0,
    medianCandidates: sizes[Math.floor(sizes.length / 2)] ?? 0,
    titleOnly: ds.items.size > 0 && withAttributes === 0,
  };
}

export function setupWarnings(i: SetupInput): string[] {
  const out: string[] = [];
  if (i.enabledHints !== undefined && i.enabledHints > 0 && i.enabledHints * 2 <= i.targetHints) {
    const why = i.dataset?.titleOnly ? ' The items have titles only, so reflection has little to generalise from.' : '';
    out.push(`The KB holds ${i.enabledHints} of ${i.targetHints} target hints: the agent chooses among few actions.${why} Reflect with a larger budget, or add hints by hand.`);
  }
  const d = i.dataset;
  if (d && d.testSessions > 0 && d.minCandidates < i.candidates) {
    const trivial = d.minCandidates <= i.topK ? ` With ${d.minCandidates} candidates HR@${i.topK} is 1 for any ranker.` : '';
    out.push(`Some test sessions of ${d.name} have only ${d.minCandidates} candidates (median ${d.medianCandidates}; dataset.candidates is ${i.candidates}): metrics are not comparable with the paper's.${trivial}`);
  }
  const n = d ? (i.testSample === 0 ? d.testSessions : Math.min(i.testSample, d.testSessions)) : i.testSample;
  const pilot = i.pilot;
  if (pilot && n > 0) {
    const needed = sessionsNeeded(pilot.sd, PLANNED_EFFECT);
    if (n < needed) {
      const mde = minimumDetectableEffect(pilot.sd, n);
      out.push(`Evaluating on ${n} test sessions detects only ±${mde.toFixed(3)} ${pilot.metric} (80% power; paired SD ${pilot.sd.toFixed(3)} in run ${pilot.run}); ±${PLANNED_EFFECT} needs ${needed} sessions (re2llm plan prices them).`);
    }
  } else if (n > 0 && n < FEW_TEST_SESSIONS) {
    out.push(`Evaluating on ${n} test sessions: a paired test on fewer than ${FEW_TEST_SESSIONS} sessions detects only large differences between conditions.`);
  }
  return out;
}
