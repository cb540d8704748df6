/**
 * Warnings about the user's own setup, shown in the sidebar before they cost a run: a KB far
 * short of its target size, candidate sets smaller than `dataset.candidates` (HR@10 on ten
 * candidates is 1 whatever the ranker), and a test sample too small to show the effects this
 * method produces. Plain data in, sentences out; the thresholds are stated in the sentences.
 */

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
  if (n > 0 && n < FEW_TEST_SESSIONS) {
    out.push(`Evaluating on ${n} test sessions: a paired test on fewer than ${FEW_TEST_SESSIONS} sessions detects only large differences between conditions.`);
  }
  return out;
}
