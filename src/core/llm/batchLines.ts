/**
 * The OpenAI batch file format, both ways: input lines (custom_id = the cache key, so an output
 * line names the request it answers) and output lines back to cache records. The same JSONL
 * serves the Batch API (OpenAI, Azure OpenAI) and vLLM's offline runner (`vllm run-batch`).
 */
import type { Re2llmConfig } from '../config/defaults';
import type { CacheInput, CacheRecord, ChatCacheOutput, EmbeddingCacheOutput } from './cache';
import type { EmbeddingFillRequest, FillRequest } from './executor';

/** The Batch API's per-file limits. */
export const BATCH_MAX_REQUESTS = 50_000;
export const BATCH_MAX_BYTES = 200 * 1024 * 1024;

/** One input line. Azure OpenAI's batch lines use "/chat/completions" (see the README). */
export function batchInputLine(llm: Re2llmConfig['llm'], r: FillRequest, url = '/v1/chat/completions'): string {
  const i = r.input;
  return JSON.stringify({
    custom_id: r.cacheKey,
    method: 'POST',
    url,
    body: {
      model: llm.model,
      messages: i.messages,
      temperature: i.temperature,
      max_tokens: i.maxTokens,
      ...(i.seed != null ? { seed: i.seed } : {}),
      ...(i.responseFormat === 'json_object' ? { response_format: { type: 'json_object' } } : {}),
    },
  });
}

/** One embeddings input line (one text; Azure OpenAI's url is "/embeddings"). */
export function batchEmbeddingLine(r: EmbeddingFillRequest, url = '/v1/embeddings'): string {
  const i = r.input;
  return JSON.stringify({
    custom_id: r.cacheKey,
    method: 'POST',
    url,
    body: { model: i.model, input: i.input, encoding_format: 'float', ...(i.dimensions != null ? { dimensions: i.dimensions } : {}) },
  });
}

/** Splits the lines into files within both limits. */
export function splitBatchLines(lines: readonly string[], maxRequests = BATCH_MAX_REQUESTS, maxBytes = BATCH_MAX_BYTES): string[][] {
  const files: string[][] = [];
  let cur: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line) + 1;
    if (cur.length && (cur.length >= maxRequests || bytes + size > maxBytes)) {
      files.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(line);
    bytes += size;
  }
  if (cur.length) files.push(cur);
  return files;
}

export type OutputLine =
  | { customId: string | null; ok: true; output: ChatCacheOutput }
  | { customId: string | null; ok: false; kind: string; message: string };

export type EmbeddingOutputLine =
  | { customId: string | null; ok: true; output: EmbeddingCacheOutput }
  | { customId: string | null; ok: false; kind: string; message: string };

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Reads one output or error line. `where` names the file and line in errors (a line that is not
 * the batch format at all throws; a request the endpoint refused is a failed line).
 */
export function parseOutputLine(line: string, where: string): OutputLine {
  return chatAnswer(parseEnvelope(line, where), where);
}

/** Reads one output or error line of an embeddings batch (one text per line, so one vector). */
export function parseEmbeddingOutputLine(line: string, where: string): EmbeddingOutputLine {
  return embeddingAnswer(parseEnvelope(line, where), where);
}

/** A chat completion's cache record from a line's envelope. */
function chatAnswer(env: Envelope, where: string): OutputLine {
  if (!env.ok) return env;
  const { customId, body: b } = env;
  const body = b as { choices?: { message?: { content?: unknown }; finish_reason?: string }[]; usage?: { prompt_tokens?: number; completion_tokens?: number } } | undefined;
  const choice = body?.choices?.[0];
  const text = choice?.message?.content;
  if (typeof text !== 'string') return { customId, ok: false, kind: 'malformed response', message: `${where}: no choices[0].message.content` };
  return {
    customId, ok: true,
    output: {
      text,
      promptTokens: body?.usage?.prompt_tokens ?? 0,
      completionTokens: body?.usage?.completion_tokens ?? estimateTokens(text),
      ...(choice?.finish_reason ? { finishReason: choice.finish_reason } : {}),
    },
  };
}

/** An embedding's cache record from a line's envelope. */
function embeddingAnswer(env: Envelope, where: string): EmbeddingOutputLine {
  if (!env.ok) return env;
  const body = env.body as { data?: { embedding?: unknown }[]; usage?: { prompt_tokens?: number } } | undefined;
  const vector = body?.data?.[0]?.embedding;
  if (body?.data?.length !== 1 || !Array.isArray(vector) || vector.length === 0 || !vector.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    return { customId: env.customId, ok: false, kind: 'malformed response', message: `${where}: expected data[0].embedding, one vector of numbers` };
  }
  return { customId: env.customId, ok: true, output: { vector: vector as number[], promptTokens: body.usage?.prompt_tokens ?? 0 } };
}

type Envelope = { customId: string | null; ok: true; body: unknown } | { customId: string | null; ok: false; kind: string; message: string };

/** The part every output line shares: custom_id, then an error, a non-200 response, or a 200 body. */
function parseEnvelope(line: string, where: string): Envelope {
  let row: { custom_id?: unknown; response?: { status_code?: number; body?: unknown } | null; error?: { code?: string; message?: string } | null };
  try {
    row = JSON.parse(line) as typeof row;
  } catch (err) {
    throw new Error(`${where}: not JSON (${(err as Error).message})`);
  }
  if (!row || typeof row !== 'object') throw new Error(`${where}: expected a JSON object`);
  const customId = typeof row.custom_id === 'string' ? row.custom_id : null;
  if (row.error) return { customId, ok: false, kind: row.error.code ?? 'error', message: row.error.message ?? '' };
  const res = row.response;
  if (!res || typeof res !== 'object') throw new Error(`${where}: neither "response" nor "error"`);
  if (res.status_code !== 200) {
    const msg = (res.body as { error?: { message?: string } } | undefined)?.error?.message ?? '';
    return { customId, ok: false, kind: `HTTP ${res.status_code}`, message: msg };
  }
  return { customId, ok: true, body: res.body };
}

export interface ImportReport {
  lines: number;
  /** Answers written to the cache (chat answers and embeddings). */
  imported: number;
  /** Of `imported`, embeddings. */
  embeddings: number;
  failed: number;
  /** Lines for answers the cache holds already (an earlier import of the same file): not written again. */
  cached: number;
}

/** What an output file may answer: the plans' requests and embeddings, by cache key (custom_id). */
export interface PlannedLines {
  requests: ReadonlyMap<string, FillRequest>;
  embeddings?: ReadonlyMap<string, EmbeddingFillRequest>;
}

/**
 * Reads an output file (the Batch API's, or vLLM's `run-batch`) into the cache: chat lines and
 * embeddings lines, each read by the parser the batch executor uses for its own batches and put
 * under the planned input, so the records are the ones a batch fill writes. Every line must
 * answer a planned request or embedding: a custom_id outside the plan is an error naming the file
 * and line (answers to someone else's prompts must not enter the cache under our keys). The plans
 * leave out what the cache holds, so a line for a cached key (the file imported before) is
 * skipped, never written over.
 */
export async function importOutputText(
  text: string,
  file: string,
  planned: PlannedLines,
  cache: { put(input: CacheInput, output: CacheRecord['output']): Promise<unknown>; get(key: string): Promise<unknown> },
): Promise<ImportReport> {
  const report: ImportReport = { lines: 0, imported: 0, embeddings: 0, failed: 0, cached: 0 };
  const rows: { input: CacheInput; output: CacheRecord['output'] }[] = [];
  for (const [n, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    report.lines++;
    const where = `${file}:${n + 1}`;
    const env = parseEnvelope(line, where);
    if (!env.customId) throw new Error(`${where}: no custom_id`);
    const req = planned.requests.get(env.customId);
    const emb = req ? undefined : planned.embeddings?.get(env.customId);
    if (!req && !emb && (await cache.get(env.customId))) {
      report.cached++;
      continue;
    }
    if (!req && !emb) throw new Error(`${where} (custom_id): ${env.customId.slice(0, 16)}… answers no request or embedding of the plan`);
    const row = req ? chatAnswer(env, where) : embeddingAnswer(env, where);
    if (!row.ok) {
      report.failed++;
      continue;
    }
    rows.push({ input: (req ?? emb)!.input, output: row.output });
    if (emb) report.embeddings++;
  }
  // Validated whole before anything is written.
  for (const r of rows) await cache.put(r.input, r.output);
  report.imported = rows.length;
  return report;
}
