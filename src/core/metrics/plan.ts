/**
 * Sample-size planning from a pilot (`re2llm plan`): the per-session SD of a paired difference
 * measured on a pilot's sessions, turned into the test sessions needed to detect a given effect
 * with the given power (power.ts), and what those sessions cost in calls, tokens and money.
 *
 * Calls per test session are counted from what the evaluation asks: one answer per LLM condition
 * (no-hint, random-hint drawn once, best-fixed-hint, agent; an upper bound, since two
 * conditions may ask the same prompt and the cache answers the second), or, with the oracle,
 * every action once (|KB| + 1, which also covers all the others and random-hint's expectation).
 */
import type { ResultsFile } from '../../protocol/results';
import { metricFn } from './rankMetrics';
import { sampleSd } from './paired';
import { mean } from './rankMetrics';
import { minimumDetectableEffect, sessionsNeeded, type PowerOptions } from './power';

export interface PilotComparison {
  a: string;
  b: string;
  metric: string;
  /** Pilot sessions both conditions scored. */
  n: number;
  diff: number;
  sd: number;
}

/**
 * Paired differences of `a` minus `b` on `metric` over the first `firstN` sessions of a results
 * file (all when absent), from its per-session ranks. For random-hint these are the seeded
 * draw's ranks even when the file reports the expectation: a slightly larger SD, so a
 * conservative plan.
 */
export function pilotFromResults(r: ResultsFile, pairs: ReadonlyArray<{ a: string; b: string }>, metric: string, firstN?: number): PilotComparison[] {
  const fn = metricFn(metric);
  const sessions = firstN !== undefined && firstN > 0 ? r.sessions.slice(0, firstN) : r.sessions;
  const out: PilotComparison[] = [];
  for (const { a, b } of pairs) {
    const d: number[] = [];
    for (const s of sessions) {
      const ra = s.byCondition[a];
      const rb = s.byCondition[b];
      if (ra && rb) d.push(fn(ra.rank) - fn(rb.rank));
    }
    if (d.length >= 2) out.push({ a, b, metric, n: d.length, diff: mean(d), sd: sampleSd(d) });
  }
  return out;
}

export const LLM_CONDITIONS: ReadonlySet<string> = new Set(['no-hint', 'random-hint', 'best-fixed-hint', 'agent', 'oracle']);

/** LLM answers one test session needs (see the file comment), given the KB's enabled hints. */
export function callsPerTestSession(conditions: readonly string[], enabledHints: number, withOracle: boolean): number {
  if (withOracle) return enabledHints + 1;
  return conditions.filter((c) => c !== 'oracle' && LLM_CONDITIONS.has(c)).length;
}

export interface TokenProfile {
  /** Mean prompt and completion tokens of one answer. */
  promptTokens: number;
  completionTokens: number;
  /** "measured" (the pilot's own calls) or "estimated" (4 characters per token of prompts and answers). */
  source: 'measured' | 'estimated';
}

/** Tokens per answer measured from a results file's LLM conditions, when it made any calls. */
export function measuredTokens(r: ResultsFile): TokenProfile | undefined {
  let calls = 0;
  let prompt = 0;
  let completion = 0;
  for (const c of r.conditions) {
    if (!LLM_CONDITIONS.has(c.condition)) continue;
    calls += c.usage.calls;
    prompt += c.usage.promptTokens;
    completion += c.usage.completionTokens;
  }
  return calls > 0 ? { promptTokens: prompt / calls, completionTokens: completion / calls, source: 'measured' } : undefined;
}

export interface Prices {
  /** Per million tokens. */
  inputPerMTok: number;
  outputPerMTok: number;
}

export interface PlanRow {
  effect: number;
  sessions: number;
  /** Cost of that many test sessions without and with the oracle. */
  withoutOracle: PlanCost;
  withOracle: PlanCost;
}

export interface PlanCost {
  calls: number;
  tokens?: number;
  cost?: number;
}

export interface PlanInput {
  sd: number;
  effects: readonly number[];
  conditions: readonly string[];
  enabledHints: number;
  tokens?: TokenProfile;
  prices: Prices;
  power?: PowerOptions;
  /** Cap on the sessions the split has (the plan says when it needs more). */
  available?: number;
}

export function planSessions(input: PlanInput): PlanRow[] {
  const cost = (sessions: number, withOracle: boolean): PlanCost => {
    const calls = sessions * callsPerTestSession(input.conditions, input.enabledHints, withOracle);
    if (!input.tokens) return { calls };
    const p = calls * input.tokens.promptTokens;
    const c = calls * input.tokens.completionTokens;
    return { calls, tokens: Math.round(p + c), cost: (p * input.prices.inputPerMTok + c * input.prices.outputPerMTok) / 1e6 };
  };
  return input.effects.map((effect) => {
    const sessions = sessionsNeeded(input.sd, effect, input.power);
    return { effect, sessions, withoutOracle: cost(sessions, false), withOracle: cost(sessions, true) };
  });
}

/** The MDE the pilot's own size, and the evaluated split's full size, would give. */
export function mdeAt(sd: number, n: number, power?: PowerOptions): number {
  return minimumDetectableEffect(sd, n, power);
}

/**
 * A pilot from the reward table of a split (before any evaluation): rewards[i][h] = metric with
 * hint h minus without, for session i. One hint drawn per session (what random-hint or an agent
 * that has not learned does) has the pooled SD over all (session, hint) pairs; the best single
 * hint (best mean) has its own. The plan uses the larger.
 */
export function pilotFromRewards(rewards: readonly (readonly number[])[], hintIds: readonly string[], metric: string): PilotComparison[] {
  if (rewards.length < 2 || hintIds.length === 0) return [];
  const pooled = rewards.flatMap((r) => [...r]);
  const out: PilotComparison[] = [{ a: 'one hint per session', b: 'no-hint', metric, n: rewards.length, diff: mean(pooled), sd: sampleSd(pooled) }];
  let best = 0;
  const means = hintIds.map((_, h) => mean(rewards.map((r) => r[h]!)));
  means.forEach((m, h) => (m > means[best]! ? (best = h) : undefined));
  const col = rewards.map((r) => r[best]!);
  out.push({ a: `best hint ${hintIds[best]}`, b: 'no-hint', metric, n: col.length, diff: means[best]!, sd: sampleSd(col) });
  return out;
}
