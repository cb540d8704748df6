/**
 * The response cache: every answer the LLM gave, keyed by what shaped it, so a second run of
 * anything with a warm cache makes zero calls and an `offline` run can replay a study exactly.
 *
 * - Key: sha256 of the canonical JSON of every input that shapes the answer (endpoint identity
 *   without credentials, model, messages, temperature, max tokens, seed, response format; for
 *   embeddings the model, the dimensions and ONE input text).
 * - Record: the key, the answer and the inputs, except that each chat message is stored as its
 *   sha256 and length, not its text: the prompt was 83% of the bytes (2.2 MB per 1,000 answers)
 *   and compresses only 1.8x; it is rebuilt from the dataset and the config, and its hash checks
 *   the rebuilt text. Embedding inputs (short texts) are kept.
 * - Storage: `answers.jsonl`, append-only, one record per line written with a single O_APPEND
 *   `write` (processes sharing the folder never interleave), plus the sidecar index
 *   `answers.idx` (cacheSegment.ts), so opening reads the index, not the data: 10^6 answers open
 *   in well under a second. A torn or invalid line (a crash mid-write) is skipped and counted;
 *   the last record of a key wins. Plain node:fs, so it works unchanged in the CLI, the worker
 *   and the extension host.
 * - The older single-file `responses.jsonl` is still read (indexed once as `responses.idx`,
 *   never written), so an existing cache stays warm.
 * - Errors are never cached: the client only calls `put` with a successful answer.
 */
import { promises as fsp, closeSync, fstatSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { hashJson } from '../util/hash';
import { CacheSegment } from './cacheSegment';

/** The data file new answers are appended to. */
export const CACHE_FILE_NAME = 'answers.jsonl';
/** The single-file cache of earlier versions (read, never written). */
export const LEGACY_CACHE_FILE_NAME = 'responses.jsonl';

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

/** A chat message as a record keeps it: the text's sha256 and length (older records: the text). */
export interface StoredMessage {
  role: string;
  content?: string;
  sha256?: string;
  chars?: number;
}

export type StoredCacheInput = EmbeddingCacheInput | (Omit<ChatCacheInput, 'messages'> & { messages: StoredMessage[] });

export interface CacheRecord {
  key: string;
  input: StoredCacheInput;
  output: ChatCacheOutput | EmbeddingCacheOutput;
  /** ISO time of the call; informational only. */
  at: string;
}

export interface CacheStats {
  file: string;
  entries: number;
  /** Data bytes (answers.jsonl plus any older responses.jsonl). */
  bytes: number;
  /** Bytes of the sidecar indexes. */
  indexBytes: number;
  /** Lines skipped (torn or invalid). */
  invalidLines: number;
  /** The data file ends in an incomplete record (a crash mid-write, or a write in progress). */
  tornTail: boolean;
  /** The older responses.jsonl is present and read. */
  legacyFile?: string;
  hits: number;
  misses: number;
}

export function cacheKey(input: CacheInput): string {
  return hashJson(input);
}

export function storedInput(input: CacheInput): StoredCacheInput {
  if (input.kind !== 'chat') return input;
  return {
    ...input,
    messages: input.messages.map((m) => ({ role: m.role, sha256: createHash('sha256').update(m.content).digest('hex'), chars: m.content.length })),
  };
}

function parseRecord(line: string, key: string): CacheRecord | undefined {
  try {
    const rec = JSON.parse(line) as CacheRecord;
    if (rec && rec.key === key && rec.input && rec.output) return rec;
  } catch {
    /* torn inside the JSON */
  }
  return undefined;
}

export class ResponseCache {
  private readonly current: CacheSegment;
  private readonly legacy: CacheSegment;
  /** Records this instance appended that no scan has indexed yet. */
  private readonly own = new Map<string, CacheRecord>();
  private hits = 0;
  private misses = 0;

  private constructor(readonly dir: string, readonly file: string) {
    this.current = new CacheSegment(file, join(dir, 'answers.idx'));
    this.legacy = new CacheSegment(join(dir, LEGACY_CACHE_FILE_NAME), join(dir, 'responses.idx'));
  }

  /** Opens (or creates lazily) the cache in `dir`: reads the indexes and any lines past them. */
  static async open(dir: string): Promise<ResponseCache> {
    const cache = new ResponseCache(dir, join(dir, CACHE_FILE_NAME));
    await cache.refresh();
    return cache;
  }

  /** Reads records appended since the last read (by this or another process). */
  async refresh(): Promise<void> {
    await Promise.all([this.current.refresh(), this.legacy.refresh()]);
    for (const k of [...this.own.keys()]) if (this.current.lookup(Buffer.from(k, 'hex'))) this.own.delete(k);
  }

  private find(key: string): CacheRecord | undefined {
    const mine = this.own.get(key);
    if (mine) return mine;
    if (!/^[0-9a-f]{64}$/.test(key)) return undefined;
    const k = Buffer.from(key, 'hex');
    for (const seg of [this.current, this.legacy]) {
      const at = seg.lookup(k);
      if (!at) continue;
      const line = seg.readLine(at);
      const rec = line === undefined ? undefined : parseRecord(line, key);
      if (rec) return rec;
      seg.noteInvalid(at.offset);
    }
    return undefined;
  }

  /**
   * Looks a key up; on a miss, first picks up records other processes appended meanwhile (read
   * only when a stat shows the data files changed since the last read: a miss is every new
   * request, and at 64 in flight an unconditional read put several event-loop turns in front of
   * each one).
   */
  async get(key: string): Promise<CacheRecord | undefined> {
    let rec = this.find(key);
    if (!rec && (this.current.changed() || this.legacy.changed())) {
      await this.refresh();
      rec = this.find(key);
    }
    if (rec) this.hits++;
    else this.misses++;
    return rec;
  }

  /** Synchronous lookup in what is loaded, without counting (for tools and tests). */
  peek(key: string): CacheRecord | undefined {
    return this.find(key);
  }

  private dirMade = false;

  /**
   * Appends one successful answer with one O_APPEND write (another process's lines never land
   * inside ours). Synchronous on purpose: a line is about a kilobyte and the write takes some
   * 20 µs, while an asynchronous open, write and close each wait for a turn of an event loop
   * that, with 64 requests in flight, is busy with their answers: a put took 30 ms on average
   * that way (measured through the client at c = 64), time each request held its slot.
   */
  async put(input: CacheInput, output: CacheRecord['output'], at: Date = new Date(), key: string = cacheKey(input)): Promise<CacheRecord> {
    // Key first: the index reads it from the line's first bytes without parsing the record.
    // (`key`: cacheKey(input), when the caller has it already: hashing a prompt twice per answer
    // was a tenth of a millisecond each on the client's busy event loop.)
    const rec: CacheRecord = { key, at: at.toISOString(), input: storedInput(input), output };
    this.append(JSON.stringify(rec) + '\n');
    this.own.set(rec.key, rec);
    return rec;
  }

  private append(line: string): void {
    // Once per store: a stage appends thousands of answers, and the folder is not removed under
    // it (clear() keeps it).
    if (!this.dirMade) {
      mkdirSync(this.dir, { recursive: true });
      this.dirMade = true;
    }
    const bytes = Buffer.from((this.current.needsNewline ? '\n' : '') + line, 'utf8');
    const fd = openSync(this.file, 'a');
    try {
      // One write call for a line this size (writeFileSync repeats it only after a short write).
      writeFileSync(fd, bytes);
      this.current.noteOwnAppend(fstatSync(fd), bytes.length);
    } finally {
      closeSync(fd);
    }
    this.current.needsNewline = false;
  }

  async stats(): Promise<CacheStats> {
    await this.refresh();
    const [c, l] = [await this.current.stats(), await this.legacy.stats()];
    return {
      file: this.file,
      entries: c.entries + l.entries + [...this.own.keys()].filter((k) => !this.current.lookup(Buffer.from(k, 'hex'))).length,
      bytes: c.bytes + l.bytes,
      indexBytes: c.indexBytes + l.indexBytes,
      invalidLines: c.invalidLines + l.invalidLines,
      tornTail: c.tornTail || l.tornTail,
      ...(l.bytes > 0 ? { legacyFile: this.legacy.file } : {}),
      hits: this.hits,
      misses: this.misses,
    };
  }

  /** Removes every entry (data and index files are deleted; the folder stays). */
  async clear(): Promise<{ removedEntries: number; removedBytes: number }> {
    const before = await this.stats();
    for (const f of [this.file, this.current.indexFile, this.legacy.file, this.legacy.indexFile]) await fsp.rm(f, { force: true });
    this.current.reset();
    this.legacy.reset();
    this.own.clear();
    return { removedEntries: before.entries, removedBytes: before.bytes + before.indexBytes };
  }
}
