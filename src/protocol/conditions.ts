/**
 * The evaluation conditions, one entry each: everything the evaluator, the settings table, the
 * CLI, the results panel, the HTML report and `re2llm export` need to know about a condition
 * that is not its Ranker. Everything else derives from this table (the id list and its order,
 * the config enum and default, labels, chart colours, which conditions need the LLM), so adding
 * a condition is its Ranker (the `makeRanker` switch in src/core/evaluate/runEvaluation.ts, which
 * fails to compile without it) plus one entry here. Lives in src/protocol/ because the webview
 * may import nothing else.
 */
export interface ConditionSpec {
  /** Label in tables and charts. */
  readonly label: string;
  /** Label for narrow columns (the per-session table). */
  readonly shortLabel: string;
  /** Answered by the LLM: needs a client, has a prompt and an answer to drill into. */
  readonly llm: boolean;
  /** Uses the hint KB (warned about when there is none). */
  readonly hinted: boolean;
  /** Chooses with the target known: an upper bound, drawn faded and never marked best. */
  readonly upperBound: boolean;
  /** Part of the default `evaluation.conditions`. */
  readonly byDefault: boolean;
  /** Index into the chart palette (`--re-c<i+1>` in media/results.css), fixed so a condition looks the same in every chart. */
  readonly colour: number;
}

/** In the order results.json, tables and charts list them. */
export const CONDITIONS = {
  'no-hint': { label: 'No hint', shortLabel: 'No hint', llm: true, hinted: false, upperBound: false, byDefault: true, colour: 6 },
  'random-hint': { label: 'Random hint', shortLabel: 'Random', llm: true, hinted: true, upperBound: false, byDefault: true, colour: 1 },
  'best-fixed-hint': { label: 'Best fixed hint', shortLabel: 'Best fixed', llm: true, hinted: true, upperBound: false, byDefault: true, colour: 3 },
  agent: { label: 'Agent (Re2LLM)', shortLabel: 'Agent', llm: true, hinted: true, upperBound: false, byDefault: true, colour: 0 },
  oracle: { label: 'Oracle (upper bound)', shortLabel: 'Oracle', llm: true, hinted: true, upperBound: true, byDefault: false, colour: 2 },
  popularity: { label: 'Popularity', shortLabel: 'Popular', llm: false, hinted: false, upperBound: false, byDefault: true, colour: 5 },
  sknn: { label: 'SKNN', shortLabel: 'SKNN', llm: false, hinted: false, upperBound: false, byDefault: true, colour: 4 },
} as const satisfies Record<string, ConditionSpec>;

export type ConditionId = keyof typeof CONDITIONS;

/** Every condition id, in table order. */
export const CONDITION_IDS = Object.keys(CONDITIONS) as ConditionId[];

/** `evaluation.conditions` when the config does not say. */
export const DEFAULT_CONDITIONS: ConditionId[] = CONDITION_IDS.filter((c) => CONDITIONS[c].byDefault);

/** Conditions answered by the LLM. */
export const LLM_CONDITION_IDS: ConditionId[] = CONDITION_IDS.filter((c) => CONDITIONS[c].llm);

/**
 * Order of execution: the baselines that need no LLM first (cheap), then the LLM conditions in
 * table order, which puts no-hint first so the hinted conditions reuse its answers from the cache.
 */
export const CONDITION_RUN_ORDER: ConditionId[] = [...CONDITION_IDS.filter((c) => !CONDITIONS[c].llm), ...LLM_CONDITION_IDS];

export function isConditionId(v: string): v is ConditionId {
  return Object.hasOwn(CONDITIONS, v);
}

/** Palette index of a condition; ids this build does not know (a newer results.json) get `fallback`. */
export function conditionColourIndex(condition: string, fallback = 0): number {
  return isConditionId(condition) ? CONDITIONS[condition].colour : fallback;
}
