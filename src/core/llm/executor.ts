/**
 * Executors fill a stage's planned requests into the response cache before the stage runs
 * (issue 13): `online` through the client (retries, adaptive concurrency), `batch` through the
 * Batch API (batchExecutor.ts). Both end with the same cache content; a request that failed for
 * good is left out of the cache, so the stage records it as a failed answer as it would online.
 */
import type { ChatCacheInput, EmbeddingCacheInput } from './cache';
import { isRecordableFailure } from './client';
import { EMBED_TEXTS_PER_REQUEST } from './embedRequests';
import type { ChatRequest, LlmClient } from './types';
import { clientPoolWidth, runWide } from './widePool';

/** One planned request (src/core/plan's PlannedRequest is one). */
export interface FillRequest {
  cacheKey: string;
  request: ChatRequest;
  input: ChatCacheInput;
}

/** One planned embedding (one text; the openai state encoder's item vectors). */
export interface EmbeddingFillRequest {
  cacheKey: string;
  input: EmbeddingCacheInput;
}

export interface FillReport {
  requested: number;
  /** Answers now in the cache. */
  filled: number;
  /** Requests that failed for good (the stage asks them again, and records them if they fail). */
  failed: number;
  /** Batch executor: batches created by this call, and batches found pending and resumed. */
  batchesCreated?: number;
  batchesResumed?: number;
  /** Batch executor: the batch lines this call imported and their tokens (what the Batch API bills). */
  batchUsage?: BatchUsage;
  /** Batch executor: the answers to this plan's requests among those lines, one per request. */
  answered?: AnsweredLine[];
}

/** An answer a fill paid for, by cache key, and its tokens. */
export interface AnsweredLine {
  key: string;
  promptTokens: number;
  completionTokens: number;
}

/** Requests answered through the Batch API and their tokens. */
export interface BatchUsage {
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

export interface FillOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface PlanExecutor {
  readonly kind: 'online' | 'batch';
  fill(requests: readonly FillRequest[], opts?: FillOptions): Promise<FillReport>;
  /** Fills planned embeddings the same way (optional: an executor without it leaves them to the stage). */
  fillEmbeddings?(requests: readonly EmbeddingFillRequest[], opts?: FillOptions): Promise<FillReport>;
}

/** Texts per embeddings request of the online executor (the client splits larger calls the same way). */
const ONLINE_EMBED_CHUNK = EMBED_TEXTS_PER_REQUEST;

/** Today's client, request by request, at the client's width (`concurrency` until it reports its own). */
export function onlineExecutor(client: LlmClient, concurrency: number): PlanExecutor {
  return {
    kind: 'online',
    async fill(requests, opts = {}) {
      let done = 0;
      let failed = 0;
      const ask = async (i: number): Promise<void> => {
        try {
          await client.chat(requests[i]!.request, opts.signal);
        } catch (err) {
          if (!isRecordableFailure(err)) throw err;
          failed++;
        }
        opts.onProgress?.(++done, requests.length);
      };
      const pool = clientPoolWidth(client, concurrency);
      await runWide(requests.length, pool.width, ask, pool.onWiden);
      return { requested: requests.length, filled: requests.length - failed, failed };
    },
    async fillEmbeddings(requests, opts = {}) {
      // The client answers cached texts itself and asks only the rest (several texts per request).
      let failed = 0;
      for (let s = 0; s < requests.length; s += ONLINE_EMBED_CHUNK) {
        const chunk = requests.slice(s, s + ONLINE_EMBED_CHUNK);
        try {
          await client.embed(chunk.map((r) => r.input.input), opts.signal);
        } catch (err) {
          if (!isRecordableFailure(err)) throw err;
          failed += chunk.length;
        }
        opts.onProgress?.(Math.min(s + ONLINE_EMBED_CHUNK, requests.length), requests.length);
      }
      return { requested: requests.length, filled: requests.length - failed, failed };
    },
  };
}
