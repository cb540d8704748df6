/**
 * REFERENCE ONLY (bench/cacheBench.ts): the single-file response cache as it was before the
 * indexed store, kept unchanged so the bench measures old and new in the same run.
 *
 * The response cache: every answer the LLM gave, keyed by what shaped it, so a second run of
 * anything with a warm cache makes zero calls and an `offline` run can replay a study exactly.
 *
 * - Key: sha256 of the canonical JSON of every input that shapes the answer (base URL, model,
 *   messages, temperature, max tokens, seed, response format; for embeddings the model, the
 *   dimensions and ONE input text). Those inputs are stored beside the answer so the file can be
 *   audited and replayed without the code that wrote it.
 * - Storage: one append-only JSONL file (`responses.jsonl` in the cache folder). Each record is
 *   appended with a single `write` on an O_APPEND descriptor, so processes sharing the folder do
 *   not interleave records. Loading ignores a torn or invalid line (a crash mid-write) and lets
 *   the last record of a key win.
 * - Errors are never cached: the client only calls `put` with a successful answer.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { hashJson } from '../src/core/util/hash';

export const CACHE_FILE_NAME = 'responses.jsonl';

/** The inputs of a chat completion that shape the answer (the cache key is their hash). */
export interface ChatCacheInput {
  kind: 'chat';
  baseUrl: string;
  model: string;
  messages: { role: string; content: string }[];
  temperature: number;
  maxTokens: number;
  seed: number | null;
  responseFormat: string;
}

/** The inputs of one embedding (one text per record, so batches of any shape share entries). */
export interface EmbeddingCacheInput {
  kind: 'embedding';
  baseUrl: string;
  model: string;
  dimensions: number | null;
  input: string;
}

export type CacheInput = ChatCacheInput | EmbeddingCacheInput;

export interface ChatCacheOutput {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason?: string;
}

export interface EmbeddingCacheOutput {
  vector: number[];
  promptTokens: number;
}

export interface CacheRecord {
  key: string;
  input: CacheInput;
  output: ChatCacheOutput | EmbeddingCacheOutput;
  /** ISO time of the call; informational only. */
  at: string;
}

export interface CacheStats {
  file: string;
  entries: number;
  bytes: number;
  /** Lines skipped at load (torn or invalid). */
  invalidLines: number;
  hits: number;
  misses: number;
}

export function cacheKey(input: CacheInput): string {
  return hashJson(input);
}

export class LegacyResponseCache {
  private readonly entries = new Map<string, CacheRecord>();
  /** Bytes of the file already parsed; a miss re-reads anything other processes appended since. */
  private offset = 0;
  /** Bytes after `offset` that did not end in a newline (a torn tail or a write in progress). */
  private pending = '';
  private invalidLines = 0;
  private hits = 0;
  private misses = 0;
  /** True when the file ends without a newline: the next append starts with one. */
  private needsNewline = false;

  private constructor(readonly dir: string, readonly file: string) {}

  /** Opens (or creates lazily) the cache in `dir` and loads what is there. */
  static async open(dir: string): Promise<LegacyResponseCache> {
    const cache = new LegacyResponseCache(dir, join(dir, CACHE_FILE_NAME));
    await cache.refresh();
    return cache;
  }

  /** In-flight refresh: concurrent lookups share it, so the file offset advances once per read. */
  private refreshing: Promise<void> | undefined;

  /** Reads records appended since the last read (by this or another process). */
  refresh(): Promise<void> {
    this.refreshing ??= this.readNew().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async readNew(): Promise<void> {
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.reset();
        return;
      }
      throw err;
    }
    try {
      const { size } = await fh.stat();
      if (size < this.offset) this.reset(); // cleared by someone else
      if (size === this.offset) return;
      const buf = Buffer.alloc(size - this.offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
      this.offset += bytesRead;
      const text = this.pending + buf.subarray(0, bytesRead).toString('utf8');
      const lines = text.split('\n');
      this.pending = lines.pop() ?? '';
      for (const line of lines) this.ingest(line);
      // A tail without a newline is either torn (crash) or still being written; keep it pending
      // but make sure our next append cannot glue onto it.
      this.needsNewline = this.pending.length > 0;
      if (this.pending && this.tryParse(this.pending)) {
        // A complete record that merely lacks its newline: accept it.
        this.ingest(this.pending);
        this.pending = '';
      }
    } finally {
      await fh.close();
    }
  }

  private reset(): void {
    this.entries.clear();
    this.offset = 0;
    this.pending = '';
    this.invalidLines = 0;
    this.needsNewline = false;
  }

  private tryParse(line: string): CacheRecord | undefined {
    try {
      const rec = JSON.parse(line) as CacheRecord;
      if (rec && typeof rec.key === 'string' && rec.input && rec.output) return rec;
    } catch {
      /* torn or foreign line */
    }
    return undefined;
  }

  private ingest(line: string): void {
    if (!line.trim()) return;
    const rec = this.tryParse(line);
    if (rec) this.entries.set(rec.key, rec);
    else this.invalidLines++;
  }

  /** Looks a key up; on a miss, first picks up records other processes appended meanwhile. */
  async get(key: string): Promise<CacheRecord | undefined> {
    let rec = this.entries.get(key);
    if (!rec) {
      await this.refresh();
      rec = this.entries.get(key);
    }
    if (rec) this.hits++;
    else this.misses++;
    return rec;
  }

  /** Synchronous lookup in what is loaded, without counting (for tools and tests). */
  peek(key: string): CacheRecord | undefined {
    return this.entries.get(key);
  }

  /** Appends one successful answer. One write call per record (O_APPEND): no interleaving. */
  async put(input: CacheInput, output: CacheRecord['output'], at: Date = new Date()): Promise<CacheRecord> {
    const rec: CacheRecord = { key: cacheKey(input), input, output, at: at.toISOString() };
    const line = (this.needsNewline ? '\n' : '') + JSON.stringify(rec) + '\n';
    await fsp.mkdir(this.dir, { recursive: true });
    const fh = await fsp.open(this.file, 'a');
    try {
      await fh.write(line);
    } finally {
      await fh.close();
    }
    // Our own record is in memory already; let refresh re-read it harmlessly later rather than
    // tracking offsets across processes' interleaved appends.
    this.needsNewline = false;
    this.entries.set(rec.key, rec);
    return rec;
  }

  async stats(): Promise<CacheStats> {
    await this.refresh();
    let bytes = 0;
    try {
      bytes = (await fsp.stat(this.file)).size;
    } catch {
      /* no file yet */
    }
    return { file: this.file, entries: this.entries.size, bytes, invalidLines: this.invalidLines, hits: this.hits, misses: this.misses };
  }

  /** Removes every entry (the file is deleted; the folder stays). */
  async clear(): Promise<{ removedEntries: number; removedBytes: number }> {
    const before = await this.stats();
    await fsp.rm(this.file, { force: true });
    this.reset();
    return { removedEntries: before.entries, removedBytes: before.bytes };
  }
}
