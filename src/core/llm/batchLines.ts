/**
 * The OpenAI batch file format, both ways: input lines (custom_id = the cache key, so an output
 * line names the request it answers) and output lines back to cache records. The same JSONL
 * serves the Batch API (OpenAI, Azure OpenAI) and vLLM's offline runner (`vllm run-batch`).
 */
import type { Re2llmConfig } from '../config/defaults';
import type { ChatCacheOutput, EmbeddingCacheOutput } from './cache';
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
  const env = parseEnvelope(line, where);
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

/** Reads one output or error line of an embeddings batch (one text per line, so one vector). */
export function parseEmbeddingOutputLine(line: string, where: string): EmbeddingOutputLine {
  const env = parseEnvelope(line, where);
  if (!env.ok) return env;
  const body = env.body as { data?: { embedding?: unknown }[]; usage?: { prompt_tokens?: number } } | undefined;
  const vector = body?.data?.[0]?.embedding;
  if (body?.data?.length !== 1 || !Array.isArray(vector) || vector.length === 0 || !vector.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    return { customId: env.customId, ok: false, kind: 'malformed response', message: `${where}: expected data[0].embedding, one vector of numbers` };
  }
  return { customId: env.customId, ok: true, output: { vector: vector as number[], promptTokens: body.usage?.prompt_tokens ?? 0 } };
}

/** The part every output line shares: custom_id, then an error, a non-200 response, or a 200 body. */
function parseEnvelope(line: string, where: string): { customId: string | null; ok: true; body: unknown } | { customId: string | null; ok: false; kind: string; message: string } {
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
  imported: number;
  failed: number;
}

/**
 * Reads an output file (the Batch API's, or vLLM's `run-batch`) into the cache. Every line must
 * answer a planned request: a custom_id outside the plan is an error naming the file and line
 * (answers to someone else's prompts must not enter the cache under our keys).
 */
export async function importOutputText(
  text: string,
  file: string,
  planned: ReadonlyMap<string, FillRequest>,
  cache: { put(input: FillRequest['input'], output: ChatCacheOutput): Promise<unknown> },
): Promise<ImportReport> {
  const report: ImportReport = { lines: 0, imported: 0, failed: 0 };
  const rows: { req: FillRequest; output: ChatCacheOutput }[] = [];
  for (const [n, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    report.lines++;
    const where = `${file}:${n + 1}`;
    const row = parseOutputLine(line, where);
    if (!row.customId) throw new Error(`${where}: no custom_id`);
    const req = planned.get(row.customId);
    if (!req) throw new Error(`${where} (custom_id): ${row.customId.slice(0, 16)}… answers no request of the plan`);
    if (row.ok) rows.push({ req, output: row.output });
    else report.failed++;
  }
  // Validated whole before anything is written.
  for (const r of rows) await cache.put(r.req.input, r.output);
  report.imported = rows.length;
  return report;
}
