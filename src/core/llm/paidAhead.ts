/**
 * Answers a run paid for ahead of the stage that reads them. An evaluation's plan is asked first,
 * every condition's answers at once at the concurrency limit (issue 15), or filled as a batch
 * (llm.executor=batch); its conditions then read them from the cache, so each condition's usage
 * (results.json, the results panel's cost table, the runs list) would show cache hits and no cost
 * where the run paid. Recorded here as they are asked, each answer is charged once, to whatever
 * reads it first, as the call it was: the usage a cold run condition by condition reports (at
 * batch prices for a batch line).
 *
 * Both views wrap one client (the stage's): `recording` for an online fill, `claiming` for the
 * stage; a batch fill's answers are entered with `recordFilled`. Their usage() is the client's
 * own (what the run has spent so far, for progress and budgets). `charged()` is what per-condition
 * usage is measured on: it leaves out the answers the client asked ahead and no one has read yet,
 * so an answer is never counted twice (once by the fill, once by its reader), and the difference
 * of two readings is what the stage asked in between, whether it asked it itself or read it from
 * a fill.
 */
import { withChat } from './withChat';
import type { LlmClient, UsageStats } from './types';
import type { PaidAheadAnswer } from '../../protocol/worker';
import { chatCost, effectivePrices, type PricedLlm, type Prices } from './prices';

interface Tokens {
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

/**
 * An answer a fill paid for, by cache key, with its tokens and what it cost: the contract the
 * training worker's start message carries too (src/protocol/worker.ts).
 */
export type PaidAnswer = PaidAheadAnswer;

type Totals = Tokens & { calls: number };

const zero = (): Totals => ({ calls: 0, promptTokens: 0, completionTokens: 0, cost: 0 });

function add(t: Totals, p: Tokens, sign: 1 | -1): void {
  t.calls += sign;
  t.promptTokens += sign * p.promptTokens;
  t.completionTokens += sign * p.completionTokens;
  t.cost += sign * p.cost;
}

export class PaidAhead {
  /** Paid ahead, not read yet, by cache key; `counted`: the client's totals hold it already. */
  private readonly unread = new Map<string, Tokens & { counted: boolean }>();
  /** What the unread answers the client asked add to its totals. */
  private readonly held = zero();
  /** What the answers read from a batch fill add to them (the client never counted those). */
  private readonly filled = zero();
  /** Answers paid ahead and then read (charged to their reader). */
  private claimed = 0;

  constructor(
    /** The client the answers are asked through, and the stage reads them through. */
    readonly client: LlmClient,
    private readonly prices: Prices,
  ) {}

  /** A ledger for `client` at the prices its endpoint is charged (llm.*CostPerMTok, 0 on loopback). */
  static forClient(client: LlmClient, llm: PricedLlm): PaidAhead {
    return new PaidAhead(client, effectivePrices({ ...llm, baseUrl: client.describe().baseUrl }));
  }

  /** Answers paid ahead and not read yet. */
  get unreadCount(): number {
    return this.unread.size;
  }

  /** The client for an online fill: every answer it had to ask (not from the cache) is recorded. */
  recording(): LlmClient {
    return this.view(async (req, signal) => {
      const res = await this.client.chat(req, signal);
      if (!res.cached && res.key && !this.unread.has(res.key)) {
        const paid = {
          promptTokens: res.promptTokens,
          completionTokens: res.completionTokens,
          cost: chatCost(this.prices, res.promptTokens, res.completionTokens),
          counted: true,
        };
        this.unread.set(res.key, paid);
        add(this.held, paid, 1);
      }
      return res;
    });
  }

  /** The answers paid ahead and not read yet, with their cost (to hand to another ledger). */
  unreadAnswers(): PaidAnswer[] {
    return [...this.unread].map(([key, p]) => ({ key, promptTokens: p.promptTokens, completionTokens: p.completionTokens, cost: p.cost }));
  }

  /** Answers a fill outside the client paid for (a batch's lines, at what the batch charged). */
  recordFilled(answers: readonly PaidAnswer[]): void {
    for (const a of answers) {
      if (this.unread.has(a.key)) continue;
      this.unread.set(a.key, { promptTokens: a.promptTokens, completionTokens: a.completionTokens, cost: a.cost, counted: false });
    }
  }

  /** The client for the stage: the first read of an answer paid ahead counts as the call it was. */
  claiming(): LlmClient {
    return this.view(async (req, signal) => {
      const res = await this.client.chat(req, signal);
      const paid = res.cached && res.key ? this.unread.get(res.key) : undefined;
      if (paid) {
        this.unread.delete(res.key);
        if (paid.counted) add(this.held, paid, -1);
        else add(this.filled, paid, 1);
        this.claimed++;
        return { ...res, cached: false };
      }
      return res;
    });
  }

  /** The answers a fill outside the client paid for (recordFilled) that have been read so far. */
  readAhead(): { calls: number; cost: number } {
    return { calls: this.filled.calls, cost: this.filled.cost };
  }

  /** The client's totals with each answer paid ahead counted once read, as a call, not a cache hit. */
  charged(): UsageStats {
    const u = this.client.usage();
    return {
      ...u,
      calls: u.calls - this.held.calls + this.filled.calls,
      cacheHits: u.cacheHits - this.claimed,
      promptTokens: u.promptTokens - this.held.promptTokens + this.filled.promptTokens,
      completionTokens: u.completionTokens - this.held.completionTokens + this.filled.completionTokens,
      cost: Math.max(0, u.cost - this.held.cost + this.filled.cost),
    };
  }

  private view(chat: LlmClient['chat']): LlmClient {
    return withChat(this.client, chat);
  }
}
