/**
 * The LLM conditions as Rankers. Each one decides which hint to add to the rank prompt and asks
 * the same `HintedRank` function (rankSession through the cached client, or a fake in tests).
 * Rewards and the oracle's choice use NDCG@K with K = the prompt's list length (`rewardK`):
 *
 *   no-hint          action 0, the base prompt
 *   random-hint      a hint drawn uniformly from the enabled hints, seeded per session id (the
 *                    paper's "w/o DRL" ablation; "no hint" is not among the draws)
 *   best-fixed-hint  the one action with the best mean reward on the sessions it is given
 *                    (the evaluator passes train + validation and "none" first; ties: earlier
 *                    in the list); chosen in `fit`
 *   agent            the trained policy's greedy action
 *   oracle           every action tried, the best NDCG@K kept (ties: lower action index, so "none"
 *                    wins a tie): an upper bound that costs |KB| + 1 answers per session
 */
import type { Session } from '../data/types';
import { NO_HINT, type ActionHint } from '../kb/types';
import { ndcgAtK } from '../metrics';
import { Rng } from '../util/rng';
import type { CancelSignal } from '../util/log';
import type { AgentPolicy } from './agentPolicy';
import { rewardOf } from './analytics';
import { mapPool } from './pool';
import type { PoolWidth } from '../llm/widePool';
import type { RankOutcome, Ranker } from '../rank/ranker';

/** Ranks one session with one hint (action 0 = NO_HINT); the outcome carries hintId = hint.id. */
export type HintedRank = (session: Session, hint: ActionHint, signal?: CancelSignal) => Promise<RankOutcome>;

/**
 * A condition that asks one answer per session with a hint it chooses (after `fit`): which one it
 * will ask for, without asking, so a batch executor can fill those answers first.
 */
export interface ChoosesHints {
  hintFor(session: Session, signal?: CancelSignal): ActionHint | Promise<ActionHint>;
}

export function choosesHints(r: Ranker): r is Ranker & ChoosesHints {
  return typeof (r as Partial<ChoosesHints>).hintFor === 'function';
}

export class NoHintRanker implements Ranker {
  readonly name = 'no-hint';
  constructor(private readonly rankWith: HintedRank) {}
  fit(): void {}
  async rank(session: Session, signal?: CancelSignal): Promise<RankOutcome> {
    return this.rankWith(session, NO_HINT, signal);
  }
}

export class RandomHintRanker implements Ranker, ChoosesHints {
  readonly name = 'random-hint';
  constructor(
    private readonly rankWith: HintedRank,
    private readonly hints: readonly ActionHint[],
    private readonly seed: number,
  ) {
    if (hints.length === 0) throw new Error('random-hint needs at least one enabled hint');
  }
  fit(): void {}
  /** The hint drawn for a session: depends only on the seed and the session id, not on order. */
  hintFor(session: Session): ActionHint {
    return this.hints[Rng.derive(this.seed, `random-hint/${session.id}`).int(this.hints.length)]!;
  }
  async rank(session: Session, signal?: CancelSignal): Promise<RankOutcome> {
    return this.rankWith(session, this.hintFor(session), signal);
  }
}

export interface HintSelection {
  hint: ActionHint;
  /** Mean validation reward per enabled hint id. */
  meanRewards: Record<string, number>;
  sessions: number;
}

/** Mean reward of every hint on the given sessions; the best one (ties: earlier hint). */
export async function selectBestFixedHint(
  rankWith: HintedRank,
  hints: readonly ActionHint[],
  sessions: readonly Session[],
  rewardK: number,
  width: number | PoolWidth,
  signal?: CancelSignal,
): Promise<HintSelection> {
  if (hints.length === 0) throw new Error('best-fixed-hint needs at least one enabled hint');
  if (sessions.length === 0) throw new Error('best-fixed-hint needs validation sessions to choose a hint');
  const base = await mapPool(sessions, width, (s) => rankWith(s, NO_HINT, signal), signal);
  const pairs = hints.flatMap((h) => sessions.map((s, i) => ({ h, s, i })));
  const ranks = await mapPool(pairs, width, (p) => rankWith(p.s, p.h, signal), signal);
  const meanRewards: Record<string, number> = {};
  let best = hints[0]!;
  hints.forEach((h, hi) => {
    let sum = 0;
    for (let i = 0; i < sessions.length; i++) sum += rewardOf(ranks[hi * sessions.length + i]!.targetRank, base[i]!.targetRank, rewardK);
    meanRewards[h.id] = sum / sessions.length;
    if (meanRewards[h.id]! > meanRewards[best.id]!) best = h;
  });
  return { hint: best, meanRewards, sessions: sessions.length };
}

export class BestFixedHintRanker implements Ranker, ChoosesHints {
  readonly name = 'best-fixed-hint';
  selection: HintSelection | undefined;
  /** @param validation the sessions the hint is chosen on (the evaluator: train + validation) */
  constructor(
    private readonly rankWith: HintedRank,
    private readonly hints: readonly ActionHint[],
    private readonly validation: readonly Session[],
    private readonly rewardK: number,
    private readonly width: number | PoolWidth,
  ) {}
  /** Chooses the hint on the sessions given to the constructor (never the test sessions). */
  async fit(_train: readonly Session[], signal?: CancelSignal): Promise<void> {
    this.selection = await selectBestFixedHint(this.rankWith, this.hints, this.validation, this.rewardK, this.width, signal);
  }
  hintFor(): ActionHint {
    if (!this.selection) throw new Error('best-fixed-hint: fit() must run before rank()');
    return this.selection.hint;
  }
  async rank(session: Session, signal?: CancelSignal): Promise<RankOutcome> {
    return this.rankWith(session, this.hintFor(), signal);
  }
}

export class AgentRanker implements Ranker, ChoosesHints {
  readonly name = 'agent';
  /** @param actions the KB's actions in the agent's order (checked by assertAgentMatches) */
  constructor(
    private readonly rankWith: HintedRank,
    private readonly policy: AgentPolicy,
    private readonly actions: readonly ActionHint[],
  ) {}
  fit(): void {}
  /** The policy's (deterministic, greedy) pick for a session. */
  async hintFor(session: Session, signal?: CancelSignal): Promise<ActionHint> {
    const a = await this.policy.pick(session, signal);
    const hint = this.actions[a];
    if (!Number.isInteger(a) || !hint) throw new Error(`agent picked action ${a}, outside 0..${this.actions.length - 1}`);
    return hint;
  }
  async rank(session: Session, signal?: CancelSignal): Promise<RankOutcome> {
    return this.rankWith(session, await this.hintFor(session, signal), signal);
  }
}

export class OracleRanker implements Ranker {
  readonly name = 'oracle';
  constructor(
    private readonly rankWith: HintedRank,
    private readonly actions: readonly ActionHint[],
    private readonly rewardK: number,
  ) {}
  fit(): void {}
  async rank(session: Session, signal?: CancelSignal): Promise<RankOutcome> {
    const outcomes = await Promise.all(this.actions.map((h) => this.rankWith(session, h, signal)));
    const tried: Record<string, number> = {};
    let best = 0;
    outcomes.forEach((o, i) => {
      tried[this.actions[i]!.id] = ndcgAtK(o.targetRank, this.rewardK);
      if (ndcgAtK(o.targetRank, this.rewardK) > ndcgAtK(outcomes[best]!.targetRank, this.rewardK)) best = i;
    });
    return { ...outcomes[best]!, tried };
  }
}
