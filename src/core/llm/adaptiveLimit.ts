/**
 * The in-flight bound of the LLM client, adapted to the endpoint's 429s: additive increase,
 * multiplicative decrease, with the decrease scaled by how much of the last round was refused,
 * as DCTCP does it with congestion marks (RFC 8257, §3.3).
 *
 * - Additive increase: every answer adds 1/limit (about +1 per round), up to `llm.concurrency`.
 * - Rounds: a round is `limit` attempts dispatched after the previous round ended (fewer when
 *   all it sent are back). Attempts sent before that were sent under the old limit and say
 *   nothing about the new one, so a burst of 429s is one signal, not many.
 * - Decrease: `alpha` is a moving average of the fraction of each round's attempts that got a
 *   429; a round with any 429 multiplies the limit by (1 - alpha / 2). An endpoint that refuses
 *   everything (a real rate limit: every request over it gets a 429) drives alpha to 1 and halves
 *   the limit every round, the classic AIMD. An endpoint that refuses a steady one request in
 *   five whatever the load (the fault suite's mix; gateways that shed load at random) lowers it
 *   by about a tenth per round, which the additive increase offsets near the configured limit.
 *   Halving on every 429 (as before) drove the limit to 1 there and held it: a faulty hetrec run
 *   went from minutes to hours, with no fewer 429s, since they did not depend on the load.
 * - Retry-After is honoured by the request that got it (its retry waits at least that long,
 *   retry.ts), not by freezing the limit: under a real rate limit there are no answers to grow
 *   on until the server accepts again, and under random refusals a freeze never ends.
 * A slot is held by one attempt only: the client releases it before any backoff wait, so a
 * request that timed out or is waiting to retry does not block others.
 */
/** What came of one attempt: an answer, a 429, or any other failure (which says nothing about load). */
export type AttemptOutcome = 'answered' | 'rate-limited' | 'failed';

export interface AdaptiveLimitOptions {
  /** Upper bound (llm.concurrency); also the starting limit. */
  max: number;
}

/** Weight of the newest round in `alpha` (RFC 8257 suggests 1/16 per RTT; our rounds are few). */
const ALPHA_GAIN = 1 / 4;

export class AdaptiveLimit {
  private current: number;
  private inFlight = 0;
  private readonly waiters: { resolve: (seq: number) => void; reject: (e: unknown) => void; signal?: AbortSignal; onAbort?: () => void }[] = [];
  /** Dispatch counter: an attempt's number tells which round it was sent in. */
  private dispatched = 0;
  /** First attempt number of the current round, its size, and what its attempts came back with. */
  private roundStart = 0;
  private roundSize: number;
  private roundSettled = 0;
  private roundLimited = 0;
  /** Estimated fraction of attempts refused with a 429; starts at 1 (RFC 8257: conservative). */
  private alpha = 1;

  constructor(private readonly opts: AdaptiveLimitOptions) {
    if (!Number.isInteger(opts.max) || opts.max < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${opts.max}`);
    this.current = opts.max;
    this.roundSize = opts.max;
  }

  /** The current limit (whole requests). */
  get limit(): number {
    return Math.max(1, Math.floor(this.current));
  }

  get active(): number {
    return this.inFlight;
  }

  /** Waits for a slot; returns the attempt's number (pass it to `release`). */
  async acquire(signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    if (this.inFlight < this.limit && this.waiters.length === 0) {
      this.inFlight++;
      return this.dispatched++;
    }
    return new Promise<number>((resolve, reject) => {
      const w: (typeof this.waiters)[number] = { resolve, reject, signal };
      if (signal) {
        w.onAbort = () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal.reason ?? new Error('aborted'));
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.waiters.push(w);
    });
  }

  /**
   * Frees the slot of attempt `attempt` (the number `acquire` returned) with what came of it:
   * an answer grows the limit; a 429 counts against the attempt's round.
   */
  release(attempt: number, outcome: AttemptOutcome): void {
    this.inFlight--;
    if (outcome === 'answered') this.current = Math.min(this.opts.max, this.current + 1 / this.current);
    if (attempt >= this.roundStart) {
      this.roundSettled++;
      if (outcome === 'rate-limited') this.roundLimited++;
      // A round ends after `limit` attempts, or sooner when all it sent are back (demand below the limit).
      if (this.roundSettled >= this.roundSize || this.roundSettled === this.dispatched - this.roundStart) this.endRound();
    }
    this.dispatch();
  }

  /** The moving estimate of the fraction of attempts refused (for tests and diagnostics). */
  get refusedFraction(): number {
    return this.alpha;
  }

  private endRound(): void {
    this.alpha = (1 - ALPHA_GAIN) * this.alpha + (ALPHA_GAIN * this.roundLimited) / this.roundSettled;
    if (this.roundLimited > 0) this.current = Math.max(1, this.current * (1 - this.alpha / 2));
    this.roundStart = this.dispatched;
    this.roundSize = this.limit;
    this.roundSettled = 0;
    this.roundLimited = 0;
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.inFlight < this.limit) {
      const w = this.waiters.shift()!;
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      this.inFlight++;
      w.resolve(this.dispatched++);
    }
  }
}
