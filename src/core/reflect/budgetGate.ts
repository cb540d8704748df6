/**
 * How far reflection may run ahead of acceptance under a budget. A budget bounds what a run
 * spends; which session is the last one kept is decided by what the kept sessions cost, in order,
 * so it does not depend on timing. Work on session j ahead of acceptance is worth its price only
 * if, once the open sessions before j have finished their chains, the budget still has room:
 * past that j would not be kept. Counting only the calls already made let every open session go
 * on with its chain: under maxCost = 0.001 the simulator run made 21-22 calls where the two
 * sessions it kept cost 10 (test/core/reflect/runReflection.test.ts, "budgets and modes").
 */
import { lowerBound } from '../util/sorted';

/** Calls and cost, in the currency of llm.*CostPerMTok. */
export interface Amount {
  calls: number;
  cost: number;
}

/** What one open session's requests cost so far this run, and how many are in flight. */
export interface SessionSpend extends Amount {
  pending: number;
  /** Once it is prepared: the most calls its acceptance still makes (callsLeftWhenPrepared). */
  left?: number;
  /** Once it is prepared: whether the LLM got it wrong (it reflected). */
  error?: boolean;
}

/**
 * What kept sessions cost, to tell what an open one will still spend: the mean over the kept
 * sessions that made at least as many calls as it has (a session the LLM ranks well stops after
 * one call, one it gets wrong goes on to reflect and check, so how far a session got says which
 * kind it is).
 */
export class SessionCosts {
  private readonly calls: number[] = [];
  private readonly costs: number[] = [];
  /** Suffix sums over the sessions sorted by calls (rebuilt after an add). */
  private suffix: { calls: number[]; cost: number[] } | undefined;

  add(a: Amount): void {
    let i = this.calls.length;
    while (i > 0 && this.calls[i - 1]! > a.calls) i--;
    this.calls.splice(i, 0, a.calls);
    this.costs.splice(i, 0, a.cost);
    this.suffix = undefined;
  }

  get size(): number {
    return this.calls.length;
  }

  /** Mean of the kept sessions with at least `calls` calls, and how many they are (undefined: none has). */
  expectedGiven(calls: number): (Amount & { sessions: number }) | undefined {
    const n = this.calls.length;
    if (!this.suffix) {
      const sc = new Array<number>(n + 1).fill(0);
      const sk = new Array<number>(n + 1).fill(0);
      for (let i = n - 1; i >= 0; i--) {
        sc[i] = sc[i + 1]! + this.calls[i]!;
        sk[i] = sk[i + 1]! + this.costs[i]!;
      }
      this.suffix = { calls: sc, cost: sk };
    }
    const lo = lowerBound(this.calls, calls);
    const m = n - lo;
    return m ? { calls: this.suffix.calls[lo]! / m, cost: this.suffix.cost[lo]! / m, sessions: m } : undefined;
  }
}

export interface BudgetGateInput {
  /** What earlier runs of the checkpoint were charged. */
  before: Amount;
  /**
   * What this run spent that counts before the open sessions' remaining: online everything it
   * made (run ahead and not kept included), in rounds what the kept sessions and the open ones
   * before the asking one spent (runReflection's gateInput). Also gives the mean price of a call.
   */
  made: Amount;
  /** Requests in flight now: every session's online, the open ones' before the asking one in rounds. */
  pending: number;
  /** The open sessions before the one asking (not yet kept). */
  openBefore: SessionSpend[];
  costs: SessionCosts;
  /**
   * The fewest calls a session that made (or has in flight) `calls` makes in all, by the shape of
   * its chain: what stands in while no kept session got as far (early in a run, or at its start).
   */
  fewestCalls?: (calls: number) => number;
  /**
   * What a session that made (or has in flight) `calls` is expected to make in all before any is
   * known, counted as `weight` kept sessions that got as far: the kept sessions' mean is shrunk
   * toward it, so that one kept session does not stand for all (see projectedSpend).
   */
  prior?: { calls: (calls: number) => number; weight: number };
  maxCalls: number;
  maxCost?: number;
}

/**
 * What the run will have spent once the open sessions before the one asking are done: what it
 * made, the requests in flight at the mean price of a call, and what each of those sessions will
 * still spend by `costs` (while no kept session got as far: the rest of its chain's fewest calls,
 * at the mean price). Undefined while the price of a call is unknown.
 */
export function projectedSpend(g: BudgetGateInput): Amount | undefined {
  const perCall = pricePerCall(g);
  if (perCall === undefined) return undefined;
  let calls = g.before.calls + g.made.calls + g.pending;
  let cost = g.before.cost + g.made.cost + g.pending * perCall;
  for (const s of g.openBefore) {
    const sofar = s.calls + s.pending;
    const e = g.costs.expectedGiven(sofar);
    if (s.left !== undefined) {
      // Prepared: what is left is known, not the mean of the kept sessions that got as far (a
      // session the LLM ranked right was counted at that mean, about three calls on hetrec,
      // where it will make none; near a budget that held every session after the head back).
      calls += s.left;
      cost += s.left * perCall;
    } else if (g.prior && g.prior.weight + (e?.sessions ?? 0) > 0) {
      // The kept sessions' mean, shrunk toward the prior: online at c = 64 under --max-cost 0.002
      // the first session kept was one the LLM ranked right, one call, and at that mean 26 base
      // answers went out at once where the budget held about two sessions the LLM gets wrong.
      const w = g.prior.weight;
      const p = Math.max(g.prior.calls(sofar), g.fewestCalls?.(sofar) ?? sofar);
      const n = e?.sessions ?? 0;
      const eCalls = ((e?.calls ?? 0) * n + p * w) / (n + w);
      const eCost = ((e?.cost ?? 0) * n + p * perCall * w) / (n + w);
      calls += Math.max(0, eCalls - sofar);
      cost += Math.max(0, eCost - s.cost - s.pending * perCall);
    } else if (e) {
      calls += Math.max(0, e.calls - sofar);
      cost += Math.max(0, e.cost - s.cost - s.pending * perCall);
    } else {
      const rest = Math.max(0, (g.fewestCalls?.(sofar) ?? sofar) - sofar);
      calls += rest;
      cost += rest * perCall;
    }
  }
  return { calls, cost };
}

/**
 * The mean price of a call: this run's, else what earlier runs were charged per call; unknown
 * before any answer came back. Under a cost budget nothing runs ahead until one is known: with
 * no price, 64 sessions opened at once at c = 64 under a budget of 11 calls.
 */
export function pricePerCall(g: Pick<BudgetGateInput, 'made' | 'before' | 'maxCost'>): number | undefined {
  if (g.made.calls > 0) return g.made.cost / g.made.calls;
  if (g.before.calls > 0) return g.before.cost / g.before.calls;
  return g.maxCost === undefined ? 0 : undefined;
}

/** True while work on the session asking stays within both budgets. */
export function mayRunAhead(g: BudgetGateInput): boolean {
  const p = projectedSpend(g);
  return p !== undefined && p.calls < g.maxCalls && (g.maxCost === undefined || p.cost < g.maxCost);
}
