/**
 * The LLM boundary as the rest of the core sees it. Only `src/core/llm/` imports `openai`.
 */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * What a chat request is for, one name per kind the core sends: the logs and error messages say
 * it, and reflection's replays tell the questions they answer apart by it. Never part of the
 * cache key.
 *   rank        a session ranked without a hint (the base answer; evaluation's no-hint condition)
 *   rank-hint   a session ranked with a hint (effectiveness checks, rewards, hinted conditions)
 *   reflect     one of reflection's three turns on a session the LLM got wrong
 *   redundancy  the non-redundancy question about a candidate hint against the KB
 */
export type ChatPurpose = 'rank' | 'rank-hint' | 'reflect' | 'redundancy';

/** What a caller asks for. Model, temperature etc. come from the client's config. */
export interface ChatRequest {
  messages: ChatMessage[];
  purpose?: ChatPurpose;
  /** 'json_object' asks the endpoint for JSON mode; part of the cache key. Default 'text'. */
  responseFormat?: 'text' | 'json_object';
}

export interface ChatResult {
  text: string;
  /** True when served from the response cache (no call made). */
  cached: boolean;
  promptTokens: number;
  completionTokens: number;
  /** The cache key (sha256 of the canonical request). */
  key: string;
}

export interface UsageStats {
  /** Requests that reached the endpoint (retries not counted separately). */
  calls: number;
  cacheHits: number;
  /** Attempts repeated after a 429, 5xx, timeout or malformed answer. */
  retries: number;
  /** Requests that failed for good (recorded as failed answers, or the error that stopped the run). */
  failures: number;
  promptTokens: number;
  completionTokens: number;
  /** In the currency of the configured prices (USD by default). */
  cost: number;
  /** The client's current in-flight limit (adapted to 429s; at most llm.concurrency). */
  concurrencyLimit?: number;
  /** Attempts in flight now. */
  inFlight?: number;
  /** Requests waiting to retry now (their slots are free meanwhile). */
  backingOff?: number;
  /**
   * Of `calls`, those whose answer has not come back yet (waiting for a slot, in flight or backing
   * off): their cost is not in `cost`, so the price of a call is cost / (calls - unanswered).
   */
  unanswered?: number;
}

export interface LlmClient {
  chat(req: ChatRequest, signal?: AbortSignal): Promise<ChatResult>;
  /** One vector per input text (cached like chat answers). */
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]>;
  /** Running totals since the client was created. */
  usage(): UsageStats;
  /** Describes the endpoint for manifests and logs: never contains the key. */
  describe(): { baseUrl: string; model: string; embeddingModel: string };
  /**
   * Calls `listener` whenever a request starts waiting to retry (its slot frees without an
   * answer); returns the unsubscribe. Optional: a client without retries never calls it.
   */
  onBackoff?(listener: () => void): () => void;
}

/**
 * Requests worth having outstanding on `client` now: its in-flight limit plus the requests
 * waiting to retry. A fixed pool of `llm.concurrency` leaves a slot idle for each request that
 * backs off: under the fault suite's mix (a 429 waits 1 s, against 20 ms answers) the slots sat
 * idle most of the time and a faulty run took about 50 times as long as a fault-free one.
 */
export function clientWidth(client: LlmClient, configured: number): number {
  const u = client.usage();
  return Math.max(1, u.concurrencyLimit ?? configured) + (u.backingOff ?? 0);
}

export function emptyUsage(): UsageStats {
  return { calls: 0, cacheHits: 0, retries: 0, failures: 0, promptTokens: 0, completionTokens: 0, cost: 0 };
}
