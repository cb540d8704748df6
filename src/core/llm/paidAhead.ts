/**
 * Answers a run paid for ahead of the stage that reads them. An evaluation's plan is asked first,
 * every condition's answers at once at the concurrency limit (issue 15); its conditions then read
 * them from the cache, so each condition's usage (results.json, the results panel's cost table,
 * the runs list) would show cache hits and no cost where the run paid. Recorded here as they are
 * asked, each answer is charged once, to whatever reads it first, as the call it was: the usage a
 * cold run condition by condition reports.
 *
 * Both views wrap one client (the stage's): `recording` for the fill, `claiming` for the stage.
 * The claiming view's totals leave out the answers asked ahead and not yet read, so a total is
 * never counted twice (once by the fill, once by its reader), and the difference of two readings
 * is what the stage asked in between, whether it asked it itself or read it from the fill.
 */
import type { LlmClient, UsageStats } from './types';
import type { Prices } from './prices';

interface Paid {
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

export class PaidAhead {
  /** Asked ahead, not read yet: by cache key. */
  private readonly unread = new Map<string, Paid>();
  /** What the unread answers add to the client's totals. */
  private readonly held: Paid & { calls: number } = { calls: 0, promptTokens: 0, completionTokens: 0, cost: 0 };
  /** Answers asked ahead and then read (charged to their reader). */
  claimed = 0;

  constructor(
    /** The client the answers are asked through, and the stage reads them through. */
    readonly client: LlmClient,
    private readonly prices: Prices,
  ) {}

  /** Answers asked ahead and not read yet. */
  get unreadCount(): number {
    return this.unread.size;
  }

  /** The client for the fill: every answer it had to ask (not from the cache) is recorded. */
  recording(): LlmClient {
    return this.view(async (req, signal) => {
      const res = await this.client.chat(req, signal);
      if (!res.cached && res.key && !this.unread.has(res.key)) {
        const paid: Paid = {
          promptTokens: res.promptTokens,
          completionTokens: res.completionTokens,
          cost: (res.promptTokens * this.prices.inputPerMTok + res.completionTokens * this.prices.outputPerMTok) / 1e6,
        };
        this.unread.set(res.key, paid);
        this.hold(paid, 1);
      }
      return res;
    });
  }

  /** The client for the stage: the first read of an answer asked ahead counts as the call it was. */
  claiming(): LlmClient {
    return this.view(async (req, signal) => {
      const res = await this.client.chat(req, signal);
      const paid = res.cached && res.key ? this.unread.get(res.key) : undefined;
      if (paid) {
        this.unread.delete(res.key);
        this.hold(paid, -1);
        this.claimed++;
        return { ...res, cached: false };
      }
      return res;
    }, true);
  }

  private hold(p: Paid, sign: 1 | -1): void {
    this.held.calls += sign;
    this.held.promptTokens += sign * p.promptTokens;
    this.held.completionTokens += sign * p.completionTokens;
    this.held.cost += sign * p.cost;
  }

  /** The client's totals as the stage sees them: answers asked ahead count once read, as calls, not cache hits. */
  private usage(): UsageStats {
    const u = this.client.usage();
    return {
      ...u,
      calls: u.calls - this.held.calls,
      cacheHits: u.cacheHits - this.claimed,
      promptTokens: u.promptTokens - this.held.promptTokens,
      completionTokens: u.completionTokens - this.held.completionTokens,
      cost: Math.max(0, u.cost - this.held.cost),
    };
  }

  private view(chat: LlmClient['chat'], stageTotals = false): LlmClient {
    const inner = this.client;
    return {
      chat,
      embed: (texts, signal) => inner.embed(texts, signal),
      usage: stageTotals ? () => this.usage() : () => inner.usage(),
      describe: () => inner.describe(),
      ...(inner.onBackoff ? { onBackoff: (l: () => void) => inner.onBackoff!(l) } : {}),
    };
  }
}
