/**
 * The `batch` executor: fills planned requests through the Batch API (OpenAI, Azure OpenAI, the
 * simulator) with the `openai` package, chat completions (`fill`) and embeddings
 * (`fillEmbeddings`, one text per line): JSONL with the cache key as custom_id, split to the
 * per-file limits, upload, create, poll with backoff, download output and error files, import
 * answers into the response cache. Failed lines are retried online or in a follow-up batch
 * (llm.batchRetryFailed); expired or cancelled batches are resubmitted for what is missing.
 *
 * Every batch id, state and count is kept in `batches.json` in the run folder (written
 * atomically, right after each create), so a stopped process picks up its pending batches on
 * the next call instead of paying for them again. An abort stops polling; it never cancels a
 * batch (`re2llm batch cancel` does). A pending batch the endpoint does not know (404: made with
 * another key or project, or by a simulator since restarted) is recorded as `lost` and its
 * requests are asked again, with a warning, instead of failing every later fill.
 *
 * A fill holds `batches.lock` beside batches.json from its first read to its last write, so two
 * processes filling one folder never both submit (or write over each other's batch records): the
 * second waits `lockWaitMs` and then finds the answers in the cache, or fails naming the holder.
 * A lock left by a killed process is taken over (util/fileLock.ts).
 */
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import type { Re2llmConfig } from '../config/defaults';
import { readJsonFile, writeJsonAtomic, exists } from '../util/fs';
import { silentLogger, type Logger } from '../util/log';
import { InputError } from '../util/errors';
import { acquireFileLock, type FileLockOptions, type LockHolder } from '../util/fileLock';
import { sleep as realSleep } from './retry';
import { isLoopbackUrl } from './prices';
import { sdkBaseUrl } from './redactUrl';
import type { CacheInput, CacheRecord, ResponseCache } from './cache';
import { batchEmbeddingLine, batchInputLine, parseEmbeddingOutputLine, parseOutputLine, splitBatchLines, BATCH_MAX_BYTES, BATCH_MAX_REQUESTS } from './batchLines';
import type { AnsweredLine, BatchUsage, EmbeddingFillRequest, FillOptions, FillReport, FillRequest, PlanExecutor } from './executor';

export const BATCHES_FILE = 'batches.json';
/** Held while a process reads, submits and records batches of the folder. */
export const BATCHES_LOCK_FILE = 'batches.lock';

/** Another live process is filling (or cancelling) the folder's batches. */
export class BatchesLockedError extends InputError {
  constructor(readonly lockFile: string, readonly holder: LockHolder | undefined) {
    super(
      holder
        ? `the batches of this folder are being handled by pid ${holder.pid} on ${holder.host} (${holder.stage}) since ${holder.startedAt}; rerun when it ends (its answers are then in the cache, nothing is submitted twice), or stop it. If that process is gone, delete this lock file`
        : 'another process holds the batches of this folder (its lock file is unreadable); if none does, delete the lock file',
      lockFile,
    );
    this.name = 'BatchesLockedError';
  }
}

/** Runs `fn` holding the batches lock of `stateDir`. */
async function withBatchesLock<T>(stateDir: string, o: Omit<FileLockOptions, 'stage'> & { stage?: string }, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireFileLock(join(stateDir, BATCHES_LOCK_FILE), { stage: 'batch fill', ...o }, (file, holder) => new BatchesLockedError(file, holder));
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/** `lost`: a pending batch the endpoint answered 404 for when it was resumed (see fillLocked). */
const TERMINAL = new Set(['completed', 'expired', 'cancelled', 'failed', 'lost']);

export interface BatchRecord {
  id: string;
  inputFileId: string;
  /** Cache keys this batch asks (its custom_ids). */
  keys: string[];
  status: string;
  counts: { total: number; completed: number; failed: number };
  createdAt: string;
  /** Its output was read into the cache (a terminal batch is imported once). */
  imported: boolean;
  /** What its lines ask: absent (older files) or "chat" for chat completions, "embeddings". */
  endpoint?: BatchEndpoint;
}

export type BatchEndpoint = 'chat' | 'embeddings';

export interface BatchesFile {
  version: 1;
  batches: BatchRecord[];
}

export async function readBatches(dir: string): Promise<BatchesFile> {
  const file = join(dir, BATCHES_FILE);
  if (!(await exists(file))) return { version: 1, batches: [] };
  const f = await readJsonFile<BatchesFile>(file);
  if (!f || !Array.isArray(f.batches)) throw new Error(`${file}: expected {"version": 1, "batches": [...]}`);
  return f;
}

export interface BatchExecutorOptions {
  config: Re2llmConfig;
  cache: ResponseCache;
  /** Folder of batches.json (the stage's run folder). */
  stateDir: string;
  /** Retries failed lines when llm.batchRetryFailed=online. */
  online: PlanExecutor;
  apiKey?: string;
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
  logger?: Logger;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** First wait between polls (doubles up to llm.batchPollMs). */
  firstPollMs?: number;
  /** Most submission rounds (resubmits of expired/failed lines) before giving up (default 4). */
  maxRounds?: number;
  maxRequestsPerFile?: number;
  maxBytesPerFile?: number;
  /** How long a fill waits for another process holding batches.lock before failing (default 2000 ms). */
  lockWaitMs?: number;
  /** Lock options for tests (liveness check, poll interval). */
  lock?: Pick<FileLockOptions, 'isAlive' | 'pollMs' | 'self'>;
}

/** An SDK client for the configured endpoint (the key only where one is needed, as the online client). */
export function batchSdk(config: Re2llmConfig, opts: Pick<BatchExecutorOptions, 'apiKey' | 'env' | 'fetch'>): OpenAI {
  const llm = config.llm;
  const baseUrl = llm.baseUrl || 'https://api.openai.com/v1';
  const keyless = (llm.endpointId || '').startsWith('sim://');
  const key = keyless ? undefined : opts.apiKey || (opts.env ?? process.env)[llm.apiKeyEnv] || undefined;
  if (!key && !keyless && !isLoopbackUrl(baseUrl)) throw new Error(`No API key for ${baseUrl}: set the environment variable ${llm.apiKeyEnv}`);
  const { baseURL, defaultQuery } = sdkBaseUrl(baseUrl);
  return new OpenAI({
    apiKey: key ?? 'no-key', baseURL, maxRetries: 2, timeout: Math.max(llm.timeoutMs, 120_000),
    ...(defaultQuery ? { defaultQuery } : {}),
    ...(key ? {} : { defaultHeaders: { Authorization: null } }),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
}

/** Azure OpenAI's batch lines and endpoint name the route without the /v1 prefix. */
export function isAzureUrl(baseUrl: string): boolean {
  try {
    return /\.openai\.azure\.com$|\.cognitiveservices\.azure\.com$/.test(new URL(baseUrl).hostname);
  } catch {
    return false;
  }
}

/** A batch route as its lines and the batch name it: Azure OpenAI without the /v1 prefix. */
export function batchUrl(baseUrl: string, path: '/chat/completions' | '/embeddings'): string {
  return isAzureUrl(baseUrl) ? path : `/v1${path}`;
}

/**
 * What differs between a chat batch and an embeddings batch: the route each line and the batch
 * name, how a line is written and how an output line is read back into a cache record.
 */
interface Route<R extends { cacheKey: string; input: CacheInput }> {
  endpoint: BatchEndpoint;
  line(r: R): string;
  parse(line: string, where: string): { customId: string | null; ok: true; output: CacheRecord['output'] } | { customId: string | null; ok: false };
  /** Retries failed lines online (llm.batchRetryFailed=online). */
  online(requests: R[], signal?: AbortSignal): Promise<unknown>;
}

export function batchExecutor(opts: BatchExecutorOptions): PlanExecutor {
  const { config, cache, stateDir } = opts;
  const logger = opts.logger ?? silentLogger;
  const wait = opts.sleep ?? realSleep;
  // Azure OpenAI names the routes without the /v1 prefix (in the lines and in the batch).
  const route = (path: '/chat/completions' | '/embeddings'): string => batchUrl(config.llm.baseUrl, path);
  const chatRoute: Route<FillRequest> = {
    endpoint: 'chat',
    line: (r) => batchInputLine(config.llm, r, route('/chat/completions')),
    parse: parseOutputLine,
    online: (rs, signal) => opts.online.fill(rs, { ...(signal ? { signal } : {}) }),
  };
  const embeddingRoute: Route<EmbeddingFillRequest> = {
    endpoint: 'embeddings',
    line: (r) => batchEmbeddingLine(r, route('/embeddings')),
    parse: parseEmbeddingOutputLine,
    online: async (rs, signal) => {
      if (!opts.online.fillEmbeddings) throw new Error('the online executor cannot retry embeddings');
      return opts.online.fillEmbeddings(rs, { ...(signal ? { signal } : {}) });
    },
  };
  let sdk: OpenAI | undefined;
  const client = (): OpenAI => (sdk ??= batchSdk(config, opts));
  const save = (state: BatchesFile): Promise<void> => writeJsonAtomic(join(stateDir, BATCHES_FILE), state);

  async function missingOf<R extends { cacheKey: string }>(requests: readonly R[]): Promise<R[]> {
    const out: R[] = [];
    for (const r of requests) if (!(await cache.get(r.cacheKey))) out.push(r);
    return out;
  }

  async function download(fileId: string): Promise<string> {
    const res = await client().files.content(fileId);
    return res.text();
  }

  /** Reads a terminal batch's output and error files; returns the keys its error file names. */
  async function importBatch<R extends { cacheKey: string; input: CacheInput }>(b: BatchRecord, planned: Map<string, R>, via: Route<R>, usage: BatchUsage, answered: AnsweredLine[]): Promise<Set<string>> {
    const remote = await client().batches.retrieve(b.id);
    const failed = new Set<string>();
    for (const [which, fileId] of [['output', remote.output_file_id], ['error', remote.error_file_id]] as const) {
      if (!fileId) continue;
      const lines = (await download(fileId)).split('\n');
      for (const [n, line] of lines.entries()) {
        if (!line.trim()) continue;
        const row = via.parse(line, `batch ${b.id} ${which} file ${fileId} line ${n + 1}`);
        if (!row.customId) continue;
        const req = planned.get(row.customId);
        // A line for a request not planned in this call (another stage's) is still a valid answer
        // of this batch: its record in batches.json says it asked it.
        if (row.ok) {
          // Billed whether or not this plan asked it: the batch did.
          const promptTokens = row.output.promptTokens ?? 0;
          const completionTokens = 'completionTokens' in row.output ? (row.output.completionTokens ?? 0) : 0;
          usage.requests++;
          usage.promptTokens += promptTokens;
          usage.completionTokens += completionTokens;
          if (req) {
            await cache.put(req.input, row.output);
            answered.push({ key: req.cacheKey, promptTokens, completionTokens });
          }
          else if (b.keys.includes(row.customId)) logger.log('debug', `batch ${b.id}: answer for ${row.customId.slice(0, 12)} not in this plan; skipped`);
        } else failed.add(row.customId);
      }
    }
    b.imported = true;
    return failed;
  }

  async function pollUntilDone(b: BatchRecord, state: BatchesFile, signal?: AbortSignal): Promise<void> {
    let delay = opts.firstPollMs ?? 1000;
    for (;;) {
      const remote = await client().batches.retrieve(b.id);
      b.status = remote.status;
      const c = remote.request_counts;
      if (c) b.counts = { total: c.total, completed: c.completed, failed: c.failed };
      await save(state);
      if (TERMINAL.has(b.status)) return;
      if (signal?.aborted) throw new Error(`batch ${b.id} still ${b.status}: stopped waiting (it keeps running; rerun to pick it up)`);
      await wait(delay, signal);
      delay = Math.min(delay * 2, config.llm.batchPollMs);
    }
  }

  async function submit(lines: string[], keys: string[], state: BatchesFile, endpoint: BatchEndpoint): Promise<BatchRecord> {
    const file = await client().files.create({ file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'requests.jsonl'), purpose: 'batch' });
    const created = await client().batches.create({
      input_file_id: file.id,
      endpoint: route(endpoint === 'embeddings' ? '/embeddings' : '/chat/completions') as '/v1/chat/completions',
      completion_window: '24h',
    });
    const rec: BatchRecord = {
      id: created.id, inputFileId: file.id, keys, status: created.status, counts: { total: keys.length, completed: 0, failed: 0 }, createdAt: new Date().toISOString(), imported: false,
      ...(endpoint === 'embeddings' ? { endpoint } : {}),
    };
    state.batches.push(rec);
    // Recorded before anything else can fail: a process stopped from here on resumes this batch.
    await save(state);
    logger.log('info', `batch ${rec.id}: ${keys.length} ${endpoint === 'embeddings' ? 'embeddings' : 'requests'} submitted`);
    return rec;
  }

  const locked = <T>(fn: () => Promise<T>): Promise<T> => withBatchesLock(stateDir, { ...opts.lock, waitMs: opts.lockWaitMs ?? 2000, logger }, fn);
  return {
    kind: 'batch',
    fill: (requests, fillOpts = {}) => locked(() => fillLocked(requests, fillOpts, chatRoute)),
    fillEmbeddings: (requests, fillOpts = {}) => locked(() => fillLocked(requests, fillOpts, embeddingRoute)),
  };

  async function fillLocked<R extends { cacheKey: string; input: CacheInput }>(requests: readonly R[], fillOpts: FillOptions, via: Route<R>): Promise<FillReport> {
    const signal = fillOpts.signal;
    const planned = new Map(requests.map((r) => [r.cacheKey, r]));
    const state = await readBatches(stateDir);
    const usage: BatchUsage = { requests: 0, promptTokens: 0, completionTokens: 0 };
    const answered: AnsweredLine[] = [];
    const report: FillReport = { requested: requests.length, filled: 0, failed: 0, batchesCreated: 0, batchesResumed: 0, batchUsage: usage, answered };
    const failedLines = new Set<string>();
    // Pending batches of an earlier process first: they are paid for already.
    // (Only those asking for this plan's requests: another stage's batch waits for its own fill.)
    for (const b of state.batches.filter((x) => !x.imported && (x.endpoint ?? 'chat') === via.endpoint && x.keys.some((k) => planned.has(k)))) {
      report.batchesResumed!++;
      logger.log('info', `batch ${b.id}: resuming (${b.status}, ${b.keys.length} requests)`);
      try {
        await pollUntilDone(b, state, signal);
      } catch (err) {
        if (!(err instanceof OpenAI.NotFoundError)) throw err;
        b.status = 'lost';
        b.imported = true;
        await save(state);
        logger.log('warn', `batch ${b.id} in ${join(stateDir, BATCHES_FILE)}: the endpoint has no such batch (404; made with another API key or project, or by a simulator since restarted); its ${b.keys.length} requests are asked again`);
        continue;
      }
      for (const k of await importBatch(b, planned, via, usage, answered)) failedLines.add(k);
      await save(state);
    }
    const rounds = opts.maxRounds ?? 4;
    for (let round = 0; round < rounds; round++) {
      let missing = await missingOf(requests);
      if (!missing.length) break;
      if (config.llm.batchRetryFailed === 'online' && failedLines.size) {
        const retry = missing.filter((r) => failedLines.has(r.cacheKey));
        if (retry.length) {
          logger.log('info', `retrying ${retry.length} failed batch line(s) online`);
          await via.online(retry, signal);
        }
        failedLines.clear();
        missing = await missingOf(requests);
        if (!missing.length) break;
      }
      failedLines.clear();
      const lines = missing.map((r) => via.line(r));
      const files = splitBatchLines(lines, opts.maxRequestsPerFile ?? BATCH_MAX_REQUESTS, opts.maxBytesPerFile ?? BATCH_MAX_BYTES);
      let at = 0;
      const submitted: BatchRecord[] = [];
      for (const f of files) {
        submitted.push(await submit(f, missing.slice(at, at + f.length).map((r) => r.cacheKey), state, via.endpoint));
        at += f.length;
        report.batchesCreated!++;
      }
      for (const b of submitted) {
        await pollUntilDone(b, state, signal);
        for (const k of await importBatch(b, planned, via, usage, answered)) failedLines.add(k);
        await save(state);
        fillOpts.onProgress?.(requests.length - (await missingOf(requests)).length, requests.length);
      }
    }
    const left = await missingOf(requests);
    report.failed = left.length;
    report.filled = requests.length - left.length;
    return report;
  }
}

/** Cancels every batch of the folder that is not finished; returns their ids. */
export function cancelPendingBatches(config: Re2llmConfig, stateDir: string, opts: Pick<BatchExecutorOptions, 'apiKey' | 'env' | 'fetch' | 'lockWaitMs'> = {}): Promise<string[]> {
  return withBatchesLock(stateDir, { stage: 'batch cancel', waitMs: opts.lockWaitMs ?? 2000 }, () => cancelLocked(config, stateDir, opts));
}

async function cancelLocked(config: Re2llmConfig, stateDir: string, opts: Pick<BatchExecutorOptions, 'apiKey' | 'env' | 'fetch'>): Promise<string[]> {
  const state = await readBatches(stateDir);
  const sdk = batchSdk(config, opts);
  const cancelled: string[] = [];
  for (const b of state.batches) {
    if (TERMINAL.has(b.status)) continue;
    const r = await sdk.batches.cancel(b.id);
    b.status = r.status;
    cancelled.push(b.id);
  }
  await writeJsonAtomic(join(stateDir, BATCHES_FILE), state);
  return cancelled;
}
