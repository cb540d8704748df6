/**
 * Which failures to retry and how long to wait. Retried: 429, 5xx (and 408/409, which OpenAI
 * documents as transient), timeouts, dropped connections and malformed answers. Never retried:
 * other 4xx (400 bad request, 401/403 key problems, 404 wrong model or URL), since repeating them
 * only burns quota. Waits use exponential backoff with "full jitter" (AWS Architecture Blog,
 * "Exponential Backoff And Jitter", 2015): sleep = uniform(0, min(cap, base * 2^attempt)), and
 * never less than what the server asked for in Retry-After.
 */
import type { Rng } from '../util/rng';

export interface BackoffOptions {
  /** First backoff ceiling in ms. */
  baseMs: number;
  /** Largest backoff ceiling in ms. */
  capMs: number;
  /** Largest Retry-After we honour, in ms (a server asking for an hour is treated as this). */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000, maxRetryAfterMs: 120_000 };

/** What a failed attempt means for the retry loop. */
export interface FailureInfo {
  retryable: boolean;
  /** HTTP status when there was a response. */
  status?: number;
  /** Server-requested wait in ms (Retry-After / retry-after-ms). */
  retryAfterMs?: number;
  /** Short description without any secret (e.g. "HTTP 429", "timeout"). */
  kind: string;
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Parses Retry-After: delta-seconds ("2", "0.5") or an HTTP date. Returns ms, or undefined when
 * absent or unparsable. `now` is injectable for tests.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  // An HTTP date always has letters (day and month names); Date.parse would accept "-3" as a year.
  if (!/[a-z]/i.test(v)) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - now);
}

/** Reads OpenAI's `retry-after-ms` first (more precise), then the standard `retry-after`. */
export function retryAfterFromHeaders(get: (name: string) => string | null | undefined, now?: number): number | undefined {
  const ms = get('retry-after-ms');
  if (ms != null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms.trim()));
  return parseRetryAfter(get('retry-after'), now);
}

/** Wait before retry number `attempt` (0 for the first retry). */
export function backoffDelayMs(attempt: number, rng: Rng, opts: BackoffOptions = DEFAULT_BACKOFF, retryAfterMs?: number): number {
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** attempt);
  const jittered = rng.next() * ceiling;
  if (retryAfterMs === undefined) return jittered;
  return Math.max(Math.min(retryAfterMs, opts.maxRetryAfterMs), jittered);
}

/** Resolves after `ms`, or rejects early when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
