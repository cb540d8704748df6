/**
 * Hint analytics and the per-session table of results.json.
 *
 * Reward of a hint on a session (method.md, "Reward"; the same definition as `reward` in
 * src/core/rank/rankSession.ts): NDCG@K of the answer with the hint minus NDCG@K of the answer
 * without it, K = the prompt's list length (10 by default). For the agent's picks the "without"
 * answer is the no-hint condition's answer to the same session (the same cached request).
 */
import type { HintStat, SessionOutcome } from '../../protocol/results';
import type { Session, SessionDataset } from '../data/types';
import type { ActionHint } from '../kb/types';
import { ndcgAtK } from '../metrics';
import { titleOf } from '../prompts/rank';
import type { ConditionRun, PredictionRecord } from './records';

export function rewardOf(withHint: number | null, withoutHint: number | null, k: number): number {
  return ndcgAtK(withHint, k) - ndcgAtK(withoutHint, k);
}

/**
 * One row per action (action 0 "none" first): how often the agent picked it and its mean reward
 * where picked (null when never picked, or when no base answers are available).
 */
export function hintStats(
  actions: readonly ActionHint[],
  k: number,
  agent?: readonly PredictionRecord[],
  base?: readonly PredictionRecord[],
): HintStat[] {
  const baseRank = new Map((base ?? []).map((r) => [r.sessionId, r.targetRank]));
  return actions.map((h) => {
    const picked = (agent ?? []).filter((r) => r.hintId === h.id);
    const rewards = picked.filter((r) => baseRank.has(r.sessionId)).map((r) => rewardOf(r.targetRank, baseRank.get(r.sessionId)!, k));
    return {
      id: h.id,
      text: h.text,
      picks: picked.length,
      meanReward: rewards.length ? rewards.reduce((s, x) => s + x, 0) / rewards.length : null,
    };
  });
}

export function sessionOutcomes(dataset: SessionDataset, sessions: readonly Session[], runs: readonly ConditionRun[]): SessionOutcome[] {
  const index = runs.map((run) => ({ run, byId: new Map(run.records.map((r) => [r.sessionId, r])) }));
  return sessions.map((s) => {
    const byCondition: SessionOutcome['byCondition'] = {};
    for (const { run, byId } of index) {
      const r = byId.get(s.id);
      if (!r) continue;
      byCondition[run.condition] = { rank: r.targetRank, ...(r.hintId !== undefined ? { hintId: r.hintId } : {}) };
    }
    return { sessionId: s.id, targetTitle: titleOf(dataset, s.target), byCondition };
  });
}
