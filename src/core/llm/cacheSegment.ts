/**
 * One JSONL data file of the response cache with its sidecar index, so opening does not parse
 * the data: `<name>.jsonl` holds one record per line (appended with a single O_APPEND write, so
 * processes sharing it never interleave), `<name>.idx` maps each record's key to its byte range.
 *
 * Index file: a header entry (magic, the data file's inode) then ENTRY_BYTES entries, each with
 * a crc32. Whoever reads new lines of the data file appends their entries (one write per batch),
 * so the index covers a prefix of the data file; on open only the lines after that prefix are
 * read. Several processes may append the same entries: harmless (the last one of a key wins). A
 * missing, torn (bad crc, partial entry) or stale index (another inode, ranges past the end) is
 * rebuilt from the data file and replaced atomically.
 *
 * Invalid lines (a crash mid-write, foreign text) get an entry with an all-zero key, so
 * `invalidLines` survives reopening without a rescan. A last line without a newline that is a
 * whole record is accepted; otherwise it is a torn tail (reported, never indexed) and the next
 * append starts with a newline so it cannot glue onto it.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp, openSync, readSync, closeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { ENTRY_BYTES, KEY_BYTES, KeyTable } from './keyTable';

const MAGIC = Buffer.from('R2LLMIX1', 'latin1');
const KEY_PREFIX = Buffer.from('{"key":"', 'latin1');
const HEX_CHARS = KEY_BYTES * 2;
const ZERO_KEY = Buffer.alloc(KEY_BYTES);
/** Bytes read per step when scanning the data file. */
const CHUNK = 8 * 1024 * 1024;

export interface SegmentStats {
  entries: number;
  bytes: number;
  indexBytes: number;
  invalidLines: number;
  /** The file ends in an incomplete record (a crash mid-write, or a write in progress). */
  tornTail: boolean;
}

function sealEntry(buf: Buffer, at: number): void {
  buf.writeUInt32LE(crc32(buf.subarray(at, at + ENTRY_BYTES - 4)) >>> 0, at + ENTRY_BYTES - 4);
}

function entryOk(buf: Buffer, at: number): boolean {
  return buf.readUInt32LE(at + ENTRY_BYTES - 4) === crc32(buf.subarray(at, at + ENTRY_BYTES - 4)) >>> 0;
}

function header(ino: number): Buffer {
  const h = Buffer.alloc(ENTRY_BYTES);
  MAGIC.copy(h, 0);
  h.writeDoubleLE(ino, 8);
  sealEntry(h, 0);
  return h;
}

/** The key of a record line, without parsing it: every record starts with {"key":"<64 hex>". */
function lineKey(buf: Buffer, start: number, end: number): Buffer | undefined {
  if (end - start < KEY_PREFIX.length + HEX_CHARS + 2) return undefined;
  if (buf.compare(KEY_PREFIX, 0, KEY_PREFIX.length, start, start + KEY_PREFIX.length) !== 0) return undefined;
  if (buf[start + KEY_PREFIX.length + HEX_CHARS] !== 0x22 || buf[end - 1] !== 0x7d) return undefined;
  const hex = buf.toString('latin1', start + KEY_PREFIX.length, start + KEY_PREFIX.length + HEX_CHARS);
  const key = Buffer.from(hex, 'hex');
  return key.length === KEY_BYTES ? key : undefined;
}

function isWholeRecord(text: string): boolean {
  try {
    const r = JSON.parse(text) as { key?: unknown; output?: unknown };
    return !!r && typeof r.key === 'string' && !!r.output;
  } catch {
    return false;
  }
}

export class CacheSegment {
  private table = new KeyTable();
  /** Bytes of the data file read (indexed) so far. */
  private scanned = 0;
  private ino = -1;
  private invalidOffsets = new Set<number>();
  private torn = false;
  /** The data file ends without a newline: the next append starts with one. */
  needsNewline = false;
  private refreshing: Promise<void> | undefined;

  constructor(
    readonly file: string,
    readonly indexFile: string,
  ) {}

  /** Loads the index and reads whatever the data file holds past it. */
  async open(): Promise<void> {
    await this.refresh();
  }

  /** Reads lines appended since the last read (by any process); concurrent callers share one read. */
  refresh(): Promise<void> {
    this.refreshing ??= this.readNew().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  lookup(key: Buffer): { offset: number; length: number } | undefined {
    return this.table.get(key);
  }

  /** The record line at a looked-up range (sync: one small positioned read). */
  readLine(at: { offset: number; length: number }): string | undefined {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return undefined;
    }
    try {
      const buf = Buffer.alloc(at.length);
      const n = readSync(fd, buf, 0, at.length, at.offset);
      return buf.toString('utf8', 0, n);
    } finally {
      closeSync(fd);
    }
  }

  /** Marks a line read as invalid after its key looked right (e.g. torn inside the JSON). */
  noteInvalid(offset: number): void {
    this.invalidOffsets.add(offset);
  }

  async stats(): Promise<SegmentStats> {
    await this.refresh();
    const size = async (f: string): Promise<number> => (await fsp.stat(f).catch(() => undefined))?.size ?? 0;
    return { entries: this.table.size, bytes: await size(this.file), indexBytes: await size(this.indexFile), invalidLines: this.invalidOffsets.size, tornTail: this.torn };
  }

  reset(): void {
    this.table = new KeyTable();
    this.scanned = 0;
    this.ino = -1;
    this.invalidOffsets = new Set();
    this.torn = false;
    this.needsNewline = false;
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
      const st = await fh.stat();
      if (st.ino !== this.ino || st.size < this.scanned) {
        // First read, or the file was cleared / replaced by someone else: start from the index.
        this.reset();
        this.ino = st.ino;
        await this.loadIndex(st.size);
      }
      if (st.size > this.scanned) await this.scan(fh, st.size);
    } finally {
      await fh.close();
    }
  }

  /** Loads the index if it fits the data file; else rebuilds it. */
  private async loadIndex(dataSize: number): Promise<void> {
    const buf = await fsp.readFile(this.indexFile).catch(() => undefined);
    const usable = !!buf && buf.length >= ENTRY_BYTES && buf.length % ENTRY_BYTES === 0 && entryOk(buf, 0) && buf.compare(MAGIC, 0, MAGIC.length, 0, MAGIC.length) === 0 && buf.readDoubleLE(8) === this.ino;
    if (usable) {
      const n = buf.length / ENTRY_BYTES - 1;
      let end = 0;
      let ok = true;
      for (let i = 1; i <= n; i++) {
        const at = i * ENTRY_BYTES;
        if (!entryOk(buf, at)) {
          ok = false;
          break;
        }
        const offset = buf.readDoubleLE(at + KEY_BYTES);
        end = Math.max(end, offset + buf.readUInt32LE(at + KEY_BYTES + 8));
        if (buf.compare(ZERO_KEY, 0, KEY_BYTES, at, at + KEY_BYTES) === 0) this.invalidOffsets.add(offset);
      }
      if (ok && end <= dataSize) {
        this.table = KeyTable.over(buf, 1);
        this.scanned = end;
        return;
      }
    }
    await this.rebuild(dataSize);
  }

  /** Indexes the whole data file and replaces the index atomically. */
  private async rebuild(dataSize: number): Promise<void> {
    this.table = new KeyTable();
    this.scanned = 0;
    this.invalidOffsets = new Set();
    const fh = await fsp.open(this.file, 'r');
    let entries: Buffer[];
    try {
      entries = await this.scanRange(fh, dataSize);
    } finally {
      await fh.close();
    }
    // Unique per call: two rebuilds in one process within the same millisecond (a study's parallel
    // cells opening one cache) shared a name, and the second rename failed with ENOENT.
    const tmp = `${this.indexFile}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    await fsp.writeFile(tmp, Buffer.concat([header(this.ino), ...entries]));
    await fsp.rename(tmp, this.indexFile);
  }

  private async scan(fh: fsp.FileHandle, size: number): Promise<void> {
    // An index that went away meanwhile is rebuilt whole: entries appended to a fresh file would
    // cover only a suffix of the data.
    const exists = await fsp.stat(this.indexFile).then((s) => s.size >= ENTRY_BYTES, () => false);
    if (!exists) {
      await this.rebuild(size);
      return;
    }
    const entries = await this.scanRange(fh, size);
    if (entries.length) await fsp.appendFile(this.indexFile, Buffer.concat(entries));
  }

  /** Reads lines from `scanned` to `size`, indexes them and returns their new index entries. */
  private async scanRange(fh: fsp.FileHandle, size: number): Promise<Buffer[]> {
    const out: Buffer[] = [];
    let batch = Buffer.alloc(0);
    let pos = this.scanned;
    let carry = Buffer.alloc(0);
    let carryStart = pos;
    this.torn = false;
    this.needsNewline = false;
    while (pos < size) {
      const want = Math.min(CHUNK, size - pos);
      const chunk = Buffer.alloc(want);
      const { bytesRead } = await fh.read(chunk, 0, want, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      const base = carryStart;
      const entries: Buffer[] = [];
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
        const e = this.indexLine(buf, start, nl, base);
        if (e) entries.push(e);
        start = nl + 1;
      }
      carry = buf.subarray(start);
      carryStart = base + start;
      batch = entries.length ? Buffer.concat([batch, ...entries]) : batch;
      if (batch.length > 0) {
        out.push(batch);
        batch = Buffer.alloc(0);
      }
    }
    this.scanned = carryStart;
    if (carry.length > 0) {
      // A last line without its newline: a whole record is accepted; a partial one stays out.
      if (isWholeRecord(carry.toString('utf8'))) {
        const e = this.indexLine(carry, 0, carry.length, carryStart);
        if (e) out.push(e);
        this.scanned = carryStart + carry.length;
      } else this.torn = true;
      this.needsNewline = true;
    }
    return out;
  }

  /** Indexes one line [start, end) of `buf` (file offset `base + start`); returns its entry. */
  private indexLine(buf: Buffer, start: number, end: number, base: number): Buffer | undefined {
    if (end === start || (end - start === 1 && buf[start] === 0x0d)) return undefined;
    let blank = true;
    for (let i = start; i < end && blank; i++) blank = buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x0d;
    if (blank) return undefined;
    const e = Buffer.alloc(ENTRY_BYTES);
    const key = lineKey(buf, start, end);
    if (key) key.copy(e, 0);
    e.writeDoubleLE(base + start, KEY_BYTES);
    e.writeUInt32LE(end - start, KEY_BYTES + 8);
    sealEntry(e, 0);
    if (key) this.table.insertEntry(e, 0);
    else this.invalidOffsets.add(base + start);
    return e;
  }
}
