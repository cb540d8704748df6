/**
 * Pure helpers over a ResultsFile for the views: metric order, best per column, whether the
 * agent helped a session, and the configuration keys that differ between runs.
 */
import type { ConditionResult, ResultsFile, SessionOutcome } from '../../src/protocol/results';
import { orderMetrics } from '../shared/format';
import { LLM_CONDITION_IDS } from '../../src/protocol/conditions';

/** Conditions answered by the LLM (they have a prompt and an answer to drill into). */
export const LLM_CONDITIONS: ReadonlySet<string> = new Set(LLM_CONDITION_IDS);

/** The oracle is an upper bound (best hint chosen with the target known): never "best". */
import { UPPER_BOUNDS } from '../../src/protocol/results';
export { UPPER_BOUNDS };

export function metricNames(run: ResultsFile): string[] {
  return orderMetrics(run.conditions.flatMap((c) => Object.keys(c.metrics)));
}

/** The metric shown first: NDCG at the largest K, as in the paper. */
export function defaultMetric(run: ResultsFile): string {
  const names = metricNames(run);
  const k = Math.max(...(run.ks.length ? run.ks : [10]));
  return names.includes(`NDCG@${k}`) ? `NDCG@${k}` : names[0] ?? 'NDCG@10';
}

/** metric -> conditions with the highest mean (ties all win), upper bounds excluded. */
export function bestByMetric(conditions: ConditionResult[], metrics: string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of metrics) {
    let best = -Infinity;
    for (const c of conditions) if (!UPPER_BOUNDS.has(c.condition) && c.metrics[m]) best = Math.max(best, c.metrics[m].mean);
    const winners = new Set(conditions.filter((c) => !UPPER_BOUNDS.has(c.condition) && c.metrics[m] && Math.abs(c.metrics[m].mean - best) < 1e-12).map((c) => c.condition));
    out.set(m, winners);
  }
  return out;
}

export type AgentEffect = 'helped' | 'hurt' | 'same' | 'n/a';

/** Did the agent's hint move the target up (helped) or down (hurt) against the base LLM? */
export function agentEffect(s: SessionOutcome): AgentEffect {
  const a = s.byCondition['agent'];
  const b = s.byCondition['no-hint'];
  if (!a || !b) return 'n/a';
  const ra = a.rank ?? Infinity;
  const rb = b.rank ?? Infinity;
  return ra < rb ? 'helped' : ra > rb ? 'hurt' : 'same';
}

/** Nested config to dotted keys with JSON-ish leaf strings. */
export function flattenConfig(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

/** What identifies a run beyond its config: model, data and KB fingerprints. */
function runFacts(r: ResultsFile): Record<string, string> {
  return {
    'llm.model': r.run.llm.model,
    'dataset.hash': r.run.dataset.hash,
    'kb.fingerprint': r.run.kb?.fingerprint ?? '–',
    'kb.hints': String(r.run.kb?.hintIds.length ?? '–'),
    packageVersion: r.run.packageVersion,
  };
}

/** The parameters whose values differ between runs ("–" where a run lacks the key). */
export function configDiff(runs: ResultsFile[]): Array<{ key: string; values: string[] }> {
  const flat = runs.map((r) => ({ ...flattenConfig(r.run.config), ...runFacts(r) }));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  return keys
    .map((key) => ({ key, values: flat.map((f) => f[key] ?? '–') }))
    .filter((row) => new Set(row.values).size > 1);
}

export function runLabel(r: ResultsFile): string {
  // The star travels with the name into the comparison table, its legend and the config diff.
  return `${r.run.starred ? '★ ' : ''}${r.run.name ?? r.run.id}`;
}
