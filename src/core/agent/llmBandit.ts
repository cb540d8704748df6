/**
 * The LLM-backed contextual bandit: state = session embedding, action = index into
 * `actionHints(kb)` (0 = no hint), reward = NDCG@10 with the hint − NDCG@10 without it (the
 * paper's, `agent.reward` ndcg-gain; the same answers and scoring the evaluator uses). The other
 * `agent.reward` variants, for ablations, score the same two answers differently (`variantReward`):
 * the HR@K or reciprocal-rank difference, or NDCG@K with the hint alone, where "no hint" then
 * earns the base answer's NDCG instead of 0 and the critic has to learn that baseline.
 *
 * With temperature 0 the answer for (session, hint) is a fixed point, so each pair is asked at
 * most once per run (`RewardCache`, with concurrent requests for the same pair merged) and the
 * client's response cache makes the no-hint answer shared by all hints of a session. A whole run
 * therefore needs at most |sessions| × |actions| LLM calls (the authors' code made one call per
 * PPO step: 500,000 by default).
 *
 * A request that failed for good (see isRecordableFailure) gives the pair reward 0, the reward
 * of "no hint": the failure says nothing about the hint, and 0 neither rewards nor punishes it.
 * The pair is remembered as failed for this run only (no second request in the same run, which
 * keeps the call bound), is never written to the reward table, and is asked again by the next run
 * (the response cache holds no answer for it). Failed pairs are counted in `stats().failedPairs`.
 */
import { isRecordableFailure } from '../llm/client';
import type { ActionHint } from '../kb/types';
import { rankSession, type RankContext } from '../rank/rankSession';
import { hitAtK, ndcgAtK, reciprocalRank, type Rank } from '../metrics/rankMetrics';
import type { Re2llmConfig } from '../config/defaults';
import type { Session } from '../data/types';

export type RewardKind = Re2llmConfig['agent']['reward'];

/** The reward of one (session, hint) pair from the target's rank in the answers with and without the hint (rank null: absent). */
export function rewardFromRanks(kind: RewardKind, withHint: Rank, base: Rank, k: number): number {
  switch (kind) {
    case 'ndcg-gain': return ndcgAtK(withHint, k) - ndcgAtK(base, k);
    case 'hr-gain': return hitAtK(withHint, k) - hitAtK(base, k);
    case 'mrr-gain': return reciprocalRank(withHint) - reciprocalRank(base);
    case 'ndcg': return ndcgAtK(withHint, k);
    default: {
      const never: never = kind;
      throw new Error(`unknown agent.reward "${String(never)}"`);
    }
  }
}

/**
 * The reward of `hint` on `session` under `agent.reward` (`hint` undefined: no hint, which is 0
 * for every gain and the base answer's NDCG for raw ndcg). The answer with the hint is asked
 * first, then the no-hint answer, which the response cache shares across hints.
 */
export async function variantReward(ctx: RankContext, session: Session, hint: string | undefined, signal?: AbortSignal): Promise<number> {
  const kind: RewardKind = ctx.config.agent.reward ?? 'ndcg-gain';
  const k = ctx.config.prompt.topK;
  const withHint = hint === undefined || hint.trim().length === 0 ? undefined : await rankSession(ctx, session, hint, signal);
  if (!withHint && kind !== 'ndcg') return 0;
  const base = await rankSession(ctx, session, undefined, signal);
  return withHint ? rewardFromRanks(kind, withHint.parsed.targetRank, base.parsed.targetRank, k) : ndcgAtK(base.parsed.targetRank, k);
}
import type { BanditEnv } from './env';

/** Rewards by (session id, hint id); in flight requests are shared. */
export class RewardCache {
  private readonly values = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<number>>();
  /** Pairs computed (asked of the reward function). */
  misses = 0;
  /** Lookups answered from memory (or by joining a request in flight). */
  hits = 0;
  /** Pairs whose request failed for good this run: reward 0, never stored in `values`. */
  private readonly failed = new Set<string>();

  get failedPairs(): number {
    return this.failed.size;
  }

  async get(sessionId: string, hint: ActionHint, compute: () => Promise<number>): Promise<number> {
    const key = `${sessionId}\u0000${hint.id}\u0000${hint.text}`;
    const v = this.values.get(key);
    if (v !== undefined) {
      this.hits++;
      return v;
    }
    const pending = this.inflight.get(key);
    if (pending) {
      this.hits++;
      return pending;
    }
    if (this.failed.has(key)) {
      this.hits++;
      return 0;
    }
    this.misses++;
    const p = compute().then(
      (r) => {
        this.values.set(key, r);
        this.inflight.delete(key);
        return r;
      },
      (err: unknown) => {
        this.inflight.delete(key);
        if (!isRecordableFailure(err)) throw err;
        this.failed.add(key);
        return 0;
      },
    );
    this.inflight.set(key, p);
    return p;
  }

  get size(): number {
    return this.values.size;
  }
}

export interface LlmBanditStats {
  /** Distinct (session, hint) pairs whose reward was computed. */
  pairs: number;
  /** Reward look-ups served without computing. */
  cacheHits: number;
  /** LLM requests that reached the endpoint (client usage since this env was made). */
  calls: number;
  /** What they cost (client usage since this env was made). */
  cost: number;
  /** |sessions| × |actions|: no-hint answer plus one answer per hint, per session. */
  bound: number;
  /** Pairs whose request failed for good this run (reward 0, asked again next run). */
  failedPairs: number;
}

export class LlmBandit implements BanditEnv {
  readonly dim: number;
  readonly arms: number;
  readonly size: number;
  private readonly startCalls: number;
  private readonly startCost: number;

  constructor(
    private readonly ctx: RankContext,
    readonly sessions: readonly Session[],
    private readonly states: readonly Float32Array[],
    readonly hints: readonly ActionHint[],
    readonly cache = new RewardCache(),
    private readonly signal?: AbortSignal,
  ) {
    if (sessions.length !== states.length) throw new Error(`LlmBandit: ${sessions.length} sessions but ${states.length} states`);
    if (sessions.length === 0) throw new Error('LlmBandit: no sessions');
    if (hints.length < 1 || hints[0]!.id !== 'none') throw new Error('LlmBandit: actions must start with "none" (no hint)');
    this.dim = states[0]!.length;
    this.arms = hints.length;
    this.size = sessions.length;
    const u = ctx.client.usage();
    this.startCalls = u.calls;
    this.startCost = u.cost;
  }

  context(i: number): Float32Array {
    const s = this.states[i];
    if (!s) throw new RangeError(`context ${i} out of range 0..${this.size - 1}`);
    return s;
  }

  /** Action 0 is no hint: reward 0 by construction and no call, except for raw `ndcg` (the base answer's NDCG). */
  reward(i: number, a: number): number | Promise<number> {
    const raw = this.ctx.config.agent.reward === 'ndcg';
    if (a === 0 && !raw) return 0;
    const hint = this.hints[a];
    if (!hint) throw new RangeError(`action ${a} out of range 0..${this.arms - 1}`);
    const session = this.sessions[i]!;
    return this.cache.get(session.id, hint, () => variantReward(this.ctx, session, a === 0 ? undefined : hint.text, this.signal));
  }

  stats(): LlmBanditStats {
    return { pairs: this.cache.misses, cacheHits: this.cache.hits, calls: this.ctx.client.usage().calls - this.startCalls, cost: this.ctx.client.usage().cost - this.startCost, bound: this.size * this.arms, failedPairs: this.cache.failedPairs };
  }
}
