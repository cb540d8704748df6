/**
 * The one LLM client: any OpenAI-compatible endpoint (OpenAI, Azure OpenAI's /openai/v1 route,
 * Ollama, vLLM, LM Studio, the simulated LLM) through the `openai` package, with our own retry
 * loop, a concurrency bound, token/cost accounting and the response cache in front.
 *
 * The openai package's own retries are switched off (maxRetries: 0) so that there is exactly one
 * retry policy, which honours Retry-After, counts retries and respects `llm.maxRetries`.
 * The API key is read only when a real call is needed (cache hits and offline mode need none)
 * and is scrubbed from every error message we raise.
 *
 * Failures are data: a request that fails for good (retries exhausted, or refused by the endpoint
 * as a bad request: too long, filtered) throws an `LlmError` with `recordable` set, which the
 * scorers turn into a recorded failed answer; errors that would fail every request (no key, 401,
 * 403, 404) are not recordable and stop the run. When more than `llm.maxFailureRate` of the
 * requests (after MIN_REQUESTS_FOR_RATE of them) failed, every later request throws
 * `LlmFailureRateError`, which nothing catches: the run stops with the endpoint and the commonest
 * error named. Concurrency adapts to 429s (adaptiveLimit.ts); a slot is held per attempt, never
 * during a backoff wait.
 */
import { effectivePrices, isLoopbackUrl } from './prices';
import { EMBED_TEXTS_PER_REQUEST } from './embedRequests';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { Re2llmConfig } from '../config/defaults';
import type { Logger } from '../util/log';
import { silentLogger } from '../util/log';
import { Rng } from '../util/rng';
import { endpointIdentity, redactUrl, sdkBaseUrl, urlSecrets } from './redactUrl';
import { AdaptiveLimit } from './adaptiveLimit';
import { ResponseCache, cacheKey, type ChatCacheInput, type ChatCacheOutput, type EmbeddingCacheInput, type EmbeddingCacheOutput } from './cache';
import { backoffDelayMs, DEFAULT_BACKOFF, isRetryableStatus, retryAfterFromHeaders, sleep as realSleep, type BackoffOptions, type FailureInfo } from './retry';
import { sharedHttpFetch } from './httpFetch';
import { emptyUsage, type ChatRequest, type ChatResult, type LlmClient, type UsageStats } from './types';

export interface LlmClientOptions {
  /** Takes precedence over the environment (the extension passes its SecretStorage value). */
  apiKey?: string;
  logger?: Logger;
  /** Shared response cache; without one every request is a call (and offline mode always misses). */
  cache?: ResponseCache;
  /** Replaces the fetch the SDK uses (tests, proxies; default: httpFetch.ts for http:, the global fetch for https:). */
  fetch?: typeof fetch;
  /** Environment to read the key from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Backoff tuning (tests shorten it). */
  backoff?: Partial<BackoffOptions>;
  /** Replaces the wait between retries (tests record the delays). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Seed for the backoff jitter (the core has no Math.random). */
  seed?: number;
  /**
   * Identity of the endpoint in cache keys (default: the base URL). An in-process simulator
   * listens on a fresh port each time, so the demo passes a stable id such as
   * `sim://<dataset hash>/<seed>` to keep its cache warm across runs.
   */
  endpointId?: string;
}

/** A failed LLM request, after any retries. Never contains the API key. */
export class LlmError extends Error {
  constructor(
    message: string,
    readonly kind: string,
    readonly status: number | undefined,
    readonly attempts: number,
    readonly retryable: boolean,
    /**
     * This request failed for good but others may not: callers record it as a failed answer and
     * go on. False for cancellation and for errors every request would meet (no key, 401/403/404).
     */
    readonly recordable = false,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

/** Too many requests failed for good: the run must stop (never recorded as an answer). */
export class LlmFailureRateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LlmFailureRateError';
  }
}

/** A failure the scorers record as a failed answer instead of stopping. */
export function isRecordableFailure(err: unknown): err is LlmError {
  return err instanceof LlmError && err.recordable;
}

/** The failure rate is judged only after this many finished requests (one early error is not a rate). */
export const MIN_REQUESTS_FOR_RATE = 20;

/** Refused for this request only: a bad request (context too long), a content filter, an unprocessable body. */
function isPerRequestRefusal(status: number): boolean {
  return status === 400 || status === 413 || status === 422;
}

/** Offline (replay) mode met a request that is not in the cache. */
export class OfflineMissError extends Error {
  constructor(message: string, readonly key: string) {
    super(message);
    this.name = 'OfflineMissError';
  }
}

/** A 200 answer we cannot use (invalid JSON, no choices): retried like a 5xx. */
class MalformedResponseError extends Error {}


function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * The endpoint identity in cache keys: what the client uses, exported so that a plan
 * (src/core/plan) computes the very keys the client will look up.
 */
export function cacheEndpointFor(config: Re2llmConfig, endpointId?: string): string {
  return endpointIdentity(endpointId ?? (config.llm.endpointId || config.llm.baseUrl || 'https://api.openai.com/v1'));
}

/** The canonical cache input of one embedding (one text), as the client keys it; a plan uses it too. */
export function embeddingCacheInput(llm: Re2llmConfig['llm'], endpoint: string, text: string): EmbeddingCacheInput {
  return { kind: 'embedding', baseUrl: endpoint, model: llm.embeddingModel, dimensions: null, input: text };
}

/** The canonical cache input of one chat request (its cacheKey is the request's identity). */
export function chatCacheInput(llm: Re2llmConfig['llm'], endpoint: string, req: ChatRequest): ChatCacheInput {
  return {
    kind: 'chat',
    baseUrl: endpoint,
    model: llm.model,
    messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
    temperature: llm.temperature,
    maxTokens: llm.maxTokens,
    seed: llm.seed ?? null,
    responseFormat: req.responseFormat ?? 'text',
  };
}

export function createLlmClient(config: Re2llmConfig, opts: LlmClientOptions = {}): LlmClient {
  const llm = config.llm;
  const logger = opts.logger ?? silentLogger;
  const cache = opts.cache;
  const env = opts.env ?? process.env;
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...opts.backoff };
  const wait = opts.sleep ?? realSleep;
  const rng = new Rng(`llm-backoff/${opts.seed ?? 0}`);
  const limit = new AdaptiveLimit({ max: llm.concurrency });
  const usage: UsageStats = emptyUsage();
  const baseUrl = llm.baseUrl || 'https://api.openai.com/v1';
  // Cache keys and records never carry credentials: user info and secret query values go.
  const cacheEndpoint = cacheEndpointFor(config, opts.endpointId);
  // The simulator (identified by its sim:// endpoint id) needs no key, so it is never sent one.
  const keyless = cacheEndpoint.startsWith('sim://');
  const failureKinds = new Map<string, number>();
  let finished = 0;
  let tripped: string | undefined;
  /** Requests waiting to retry now, and who wants to hear when one starts waiting (`onBackoff`). */
  let backingOff = 0;
  /** Requests counted in usage.calls whose answer (and so their cost) has not come back. */
  let unanswered = 0;
  const backoffListeners = new Set<() => void>();

  let sdk: OpenAI | undefined;
  let key: string | undefined;
  const secrets = urlSecrets(baseUrl);
  const scrub = (s: string): string => {
    for (const secret of key && key.length >= 4 ? [key, ...secrets] : secrets) s = s.split(secret).join('***');
    return s;
  };

  function sdkClient(): OpenAI {
    if (sdk) return sdk;
    key = keyless ? undefined : opts.apiKey || env[llm.apiKeyEnv] || undefined;
    if (!key && !keyless) {
      if (!isLoopbackUrl(baseUrl)) {
        throw new LlmError(
          `No API key for ${baseUrl}: set the environment variable ${llm.apiKeyEnv} (setting llm.apiKeyEnv names it), ` +
            `or run with llm.offline=true to answer from the cache only.`,
          'missing-key', undefined, 0, false,
        );
      }
    }
    // Empty: the SDK's default endpoint.
    const { baseURL, defaultQuery } = llm.baseUrl ? sdkBaseUrl(llm.baseUrl) : { baseURL: undefined, defaultQuery: undefined };
    sdk = new OpenAI({
      // 'no-key' is what the SDK needs to build a client; keyless endpoints get no Authorization header.
      apiKey: key ?? 'no-key',
      baseURL,
      ...(defaultQuery ? { defaultQuery } : {}),
      ...(key ? {} : { defaultHeaders: { Authorization: null } }),
      timeout: llm.timeoutMs,
      maxRetries: 0,
      ...(opts.fetch ? { fetch: opts.fetch } : /^http:\/\//i.test(baseUrl) ? { fetch: sharedHttpFetch() } : {}),
    });
    return sdk;
  }

  function classify(err: unknown): FailureInfo {
    if (err instanceof APIConnectionTimeoutError) return { retryable: true, kind: 'timeout' };
    if (err instanceof APIUserAbortError) return { retryable: false, kind: 'aborted' };
    if (err instanceof APIConnectionError) return { retryable: true, kind: 'connection error' };
    if (err instanceof APIError && typeof err.status === 'number') {
      const headers = err.headers as Headers | undefined;
      const retryAfterMs = headers ? retryAfterFromHeaders((n) => headers.get(n)) : undefined;
      return { retryable: isRetryableStatus(err.status), status: err.status, kind: `HTTP ${err.status}`, retryAfterMs };
    }
    if (err instanceof MalformedResponseError || err instanceof SyntaxError) return { retryable: true, kind: 'malformed response' };
    return { retryable: false, kind: (err as Error)?.name ?? 'error' };
  }

  /** Counts a request that failed for good and trips the failure-rate stop when it is passed. */
  function countFailure(kind: string): void {
    usage.failures++;
    failureKinds.set(kind, (failureKinds.get(kind) ?? 0) + 1);
    checkRate();
  }

  function checkRate(): void {
    if (tripped || finished < MIN_REQUESTS_FOR_RATE) return;
    if (usage.failures / finished <= llm.maxFailureRate) return;
    const [commonest, n] = [...failureKinds.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? ['?', 0];
    tripped =
      `stopping: ${usage.failures} of ${finished} LLM requests to ${redactUrl(baseUrl)} (model ${llm.model}) failed for good ` +
      `(${((100 * usage.failures) / finished).toFixed(1)}%, more than llm.maxFailureRate=${llm.maxFailureRate}); commonest error: ${commonest} (${n}×). ` +
      `Answers obtained so far are cached: fix the endpoint (or raise llm.maxRetries / llm.timeoutMs) and rerun.`;
  }

  /**
   * One request counted in usage.calls, priced (`price`, into usage.cost) the moment its answer is
   * in. Until then it is `unanswered`: a budget that divides the cost by the calls must not count
   * calls whose cost has not come back (at c = 64 most of them early in a run).
   */
  async function pricedRequest<T>(what: string, attempt: (signal: AbortSignal) => Promise<T>, signal: AbortSignal | undefined, price: (out: T) => void): Promise<T> {
    if (tripped) throw new LlmFailureRateError(tripped);
    usage.calls++;
    unanswered++;
    try {
      const out = await withRetries(what, attempt, signal);
      price(out);
      return out;
    } finally {
      unanswered--;
    }
  }

  /**
   * Runs one request with retries. Each attempt holds a concurrency slot only while it is in
   * flight (bounded by llm.timeoutMs); backoff waits happen outside the bound.
   */
  async function withRetries<T>(what: string, attempt: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let n = 0; ; n++) {
      if (signal?.aborted) throw new LlmError(`${what}: cancelled`, 'aborted', undefined, n, false);
      let attemptNo: number;
      try {
        attemptNo = await limit.acquire(signal);
      } catch {
        throw new LlmError(`${what}: cancelled`, 'aborted', undefined, n, false);
      }
      // Our own bound on the attempt, a little after the SDK's: it also covers a body that stalls.
      const timer = new AbortController();
      const t = setTimeout(() => timer.abort(new Error('timeout')), llm.timeoutMs + 1000);
      const attemptSignal = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
      let info: FailureInfo | undefined;
      let detail: string;
      let answered = false;
      try {
        const out = await attempt(attemptSignal);
        answered = true;
        finished++;
        checkRate();
        return out;
      } catch (err) {
        if (err instanceof LlmError) {
          if (err.recordable) {
            finished++;
            countFailure(err.kind);
            if (tripped) throw new LlmFailureRateError(tripped);
          }
          throw err;
        }
        info = timer.signal.aborted && !signal?.aborted ? { retryable: true, kind: 'timeout' } : classify(err);
        detail = scrub((err as Error)?.message ?? String(err));
      } finally {
        clearTimeout(t);
        limit.release(attemptNo, answered ? 'answered' : info?.status === 429 ? 'rate-limited' : 'failed');
      }
      if (signal?.aborted || info.kind === 'aborted') throw new LlmError(`${what}: cancelled`, 'aborted', undefined, n + 1, false);
      if (!info.retryable || n >= llm.maxRetries) {
        const recordable = info.retryable || (info.status !== undefined && isPerRequestRefusal(info.status));
        const why = info.retryable ? `gave up after ${n + 1} attempts (llm.maxRetries=${llm.maxRetries})` : 'not retryable';
        const e = new LlmError(`${what} failed: ${info.kind}: ${detail} (${why})`, info.kind, info.status, n + 1, info.retryable, recordable);
        if (recordable) {
          finished++;
          countFailure(info.kind);
          if (tripped) throw new LlmFailureRateError(tripped);
        } else usage.failures++;
        throw e;
      }
      const delay = backoffDelayMs(n, rng, backoff, info.retryAfterMs);
      usage.retries++;
      logger.log('debug', `${what}: ${info.kind}, retry ${n + 1}/${llm.maxRetries} in ${Math.round(delay)} ms (in-flight limit ${limit.limit})`);
      // The slot is free for the whole wait: callers that keep the client's width busy start another request.
      backingOff++;
      for (const l of backoffListeners) l();
      try {
        await wait(delay, signal);
      } catch {
        throw new LlmError(`${what}: cancelled`, 'aborted', undefined, n + 1, false);
      } finally {
        backingOff--;
      }
    }
  }

  const { inputPerMTok: inputPrice, outputPerMTok: outputPrice, embeddingPerMTok: embeddingPrice } = effectivePrices({ ...llm, baseUrl });

  /** Chat tokens at the chat prices; an embeddings request's tokens at llm.embeddingCostPerMTok. */
  function addTokens(prompt: number, completion: number, price = inputPrice): void {
    usage.promptTokens += prompt;
    usage.completionTokens += completion;
    usage.cost += (prompt * price + completion * outputPrice) / 1e6;
  }

  const inflight = new Map<string, Promise<ChatResult>>();

  async function chat(req: ChatRequest, signal?: AbortSignal): Promise<ChatResult> {
    const purpose = req.purpose ?? 'chat';
    const input = chatCacheInput(llm, cacheEndpoint, req);
    const key = cacheKey(input);
    const hit = cache ? await cache.get(key) : undefined;
    if (hit) {
      usage.cacheHits++;
      const out = hit.output as ChatCacheOutput;
      return { text: out.text, cached: true, promptTokens: out.promptTokens, completionTokens: out.completionTokens, key };
    }
    if (llm.offline) {
      throw new OfflineMissError(
        `offline mode: no cached answer for a "${purpose}" request to model ${llm.model} at ${baseUrl} (cache key ${key.slice(0, 12)}, ` +
          `cache ${cache ? cache.file : 'none configured'}); run once online to fill the cache or turn llm.offline off`,
        key,
      );
    }
    // Identical requests in flight at once share one call: a PPO batch can hold the same
    // (session, hint) twice, and with one call per key the |sessions| x |KB| bound holds.
    const pending = inflight.get(key);
    if (pending) {
      const shared = await pending;
      usage.cacheHits++;
      return { ...shared, cached: true };
    }
    const call = requestChat(input, req, purpose, key, signal);
    inflight.set(key, call);
    try {
      return await call;
    } finally {
      inflight.delete(key);
    }
  }

  async function requestChat(input: ChatCacheInput, req: ChatRequest, purpose: string, key: string, signal?: AbortSignal): Promise<ChatResult> {
    const what = `LLM ${purpose} request to ${llm.model}`;
    const out = await pricedRequest(what, async (attemptSignal): Promise<ChatCacheOutput> => {
      const res = await sdkClient().chat.completions.create(
        {
          model: llm.model,
          messages: input.messages as OpenAI.Chat.Completions.ChatCompletionMessageParam[],
          temperature: llm.temperature,
          max_tokens: llm.maxTokens,
          ...(llm.seed != null ? { seed: llm.seed } : {}),
          ...(req.responseFormat === 'json_object' ? { response_format: { type: 'json_object' as const } } : {}),
        },
        { signal: attemptSignal },
      );
      const choice = res?.choices?.[0];
      const text = choice?.message?.content;
      if (typeof text !== 'string') throw new MalformedResponseError('answer has no choices[0].message.content');
      return {
        text,
        promptTokens: res.usage?.prompt_tokens ?? estimateTokens(input.messages.map((m) => m.content).join('\n')),
        completionTokens: res.usage?.completion_tokens ?? estimateTokens(text),
        ...(choice?.finish_reason ? { finishReason: choice.finish_reason } : {}),
      };
    }, signal, (o) => addTokens(o.promptTokens, o.completionTokens));
    if (out.finishReason === 'length') logger.log('debug', `${what}: answer cut at llm.maxTokens=${llm.maxTokens}`);
    if (cache) await cache.put(input, out, undefined, key);
    return { text: out.text, cached: false, promptTokens: out.promptTokens, completionTokens: out.completionTokens, key };
  }

  /** Largest batch per embeddings request (OpenAI accepts 2048 inputs). */
  const EMBED_BATCH = EMBED_TEXTS_PER_REQUEST;

  async function embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const inputs = texts.map((t) => embeddingCacheInput(llm, cacheEndpoint, t));
    const result: (number[] | undefined)[] = new Array(texts.length);
    const missing: number[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const hit = cache ? await cache.get(cacheKey(inputs[i]!)) : undefined;
      if (hit) {
        usage.cacheHits++;
        result[i] = (hit.output as EmbeddingCacheOutput).vector;
      } else missing.push(i);
    }
    if (missing.length && llm.offline) {
      throw new OfflineMissError(
        `offline mode: no cached embedding for ${missing.length} of ${texts.length} texts with model ${llm.embeddingModel} at ${baseUrl}; run once online to fill the cache or turn llm.offline off`,
        cacheKey(inputs[missing[0]!]!),
      );
    }
    // Same text twice in one call: one request, both slots filled.
    const unique = [...new Set(missing.map((i) => texts[i]!))];
    const vectors = new Map<string, number[]>();
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += EMBED_BATCH) batches.push(unique.slice(i, i + EMBED_BATCH));
    await Promise.all(
      batches.map(async (batch) => {
        const what = `LLM embeddings request to ${llm.embeddingModel}`;
        let tokens = 0;
        const res = await pricedRequest(what, async (attemptSignal) => {
          const r = await sdkClient().embeddings.create({ model: llm.embeddingModel, input: batch, encoding_format: 'float' }, { signal: attemptSignal });
          if (!Array.isArray(r?.data) || r.data.length !== batch.length || r.data.some((d) => !Array.isArray(d?.embedding))) {
            throw new MalformedResponseError(`expected ${batch.length} embeddings`);
          }
          return r;
        }, signal, (r) => {
          tokens = r.usage?.prompt_tokens ?? estimateTokens(batch.join(' '));
          addTokens(tokens, 0, embeddingPrice);
        });
        const ordered = [...res.data].sort((a, b) => a.index - b.index);
        for (let j = 0; j < batch.length; j++) {
          const vector = ordered[j]!.embedding as number[];
          vectors.set(batch[j]!, vector);
          if (cache) {
            await cache.put(embeddingCacheInput(llm, cacheEndpoint, batch[j]!), { vector, promptTokens: Math.round(tokens / batch.length) });
          }
        }
      }),
    );
    for (const i of missing) result[i] = vectors.get(texts[i]!)!;
    return result as number[][];
  }

  return {
    chat,
    embed,
    // The spread last: V8 (Node 20) adds keys after a spread one runtime call each, ~1 µs a key,
    // and the pipeline reads usage() several times a request.
    usage: () => ({ concurrencyLimit: limit.limit, inFlight: limit.active, backingOff, unanswered, ...usage }),
    onBackoff: (listener) => {
      backoffListeners.add(listener);
      return () => backoffListeners.delete(listener);
    },
    describe: () => ({ baseUrl: redactUrl(baseUrl), model: llm.model, embeddingModel: llm.embeddingModel }),
  };
}
