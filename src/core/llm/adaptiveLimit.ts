/**
 * The in-flight bound of the LLM client, adapted to the endpoint (AIMD, as TCP congestion control
 * does it, RFC 5681): a 429 halves the limit (multiplicative decrease, never below 1), every
 * answer adds 1/limit (additive increase: about +1 per limit's worth of answers), up to the
 * configured `llm.concurrency`.
 *
 * - One decrease per "round": a 429 from an attempt that started before the last decrease says
 *   nothing new (it was sent under the old limit), so a burst of 429s halves the limit once.
 * - Retry-After: the retried request itself waits at least that long (see retry.ts); here the
 *   limit does not grow again until that time has passed, so recovery starts when the server
 *   said it would accept more.
 * A slot is held by one attempt only: the client releases it before any backoff wait, so a
 * request that timed out or is waiting to retry does not block others.
 */
export interface AdaptiveLimitOptions {
  /** Upper bound (llm.concurrency); also the starting limit. */
  max: number;
  /** Clock in ms (tests inject one). */
  now?: () => number;
}

export class AdaptiveLimit {
  private current: number;
  private inFlight = 0;
  private readonly waiters: { resolve: () => void; reject: (e: unknown) => void; signal?: AbortSignal; onAbort?: () => void }[] = [];
  /** Time of the last decrease: attempts started before it do not decrease again. */
  private lastDecreaseAt = -Infinity;
  /** No increase before this time (the last Retry-After). */
  private growAfter = -Infinity;
  private readonly now: () => number;

  constructor(private readonly opts: AdaptiveLimitOptions) {
    if (!Number.isInteger(opts.max) || opts.max < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${opts.max}`);
    this.current = opts.max;
    this.now = opts.now ?? Date.now;
  }

  /** The current limit (whole requests). */
  get limit(): number {
    return Math.max(1, Math.floor(this.current));
  }

  get active(): number {
    return this.inFlight;
  }

  /** Waits for a slot; returns the attempt's start time (pass it to `rateLimited`). */
  async acquire(signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    if (this.inFlight < this.limit && this.waiters.length === 0) {
      this.inFlight++;
      return this.now();
    }
    await new Promise<void>((resolve, reject) => {
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
    return this.now();
  }

  /** Frees a slot taken by `acquire`. */
  release(): void {
    this.inFlight--;
    this.dispatch();
  }

  /** An answer came: additive increase. */
  succeeded(): void {
    if (this.now() < this.growAfter) return;
    this.current = Math.min(this.opts.max, this.current + 1 / this.current);
    this.dispatch();
  }

  /** A 429 on an attempt started at `startedAt`: multiplicative decrease (once per round). */
  rateLimited(startedAt: number, retryAfterMs?: number): void {
    const t = this.now();
    if (retryAfterMs !== undefined) this.growAfter = Math.max(this.growAfter, t + retryAfterMs);
    if (startedAt < this.lastDecreaseAt) return;
    this.current = Math.max(1, this.current / 2);
    this.lastDecreaseAt = t;
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.inFlight < this.limit) {
      const w = this.waiters.shift()!;
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      this.inFlight++;
      w.resolve();
    }
  }
}
