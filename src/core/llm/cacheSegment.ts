/**
 * One JSONL data file of the response cache with its sidecar index, so opening does not parse
 * the data: `<name>.jsonl` holds one record per line (appended with a single O_APPEND write, so
 * processes sharing it never interleave), `<name>.idx` maps each record's key to its byte range.
 *
 * Index file (format 2), in 48-byte units: a file header (magic, the data file's inode, crc32),
 * then blocks, each a block header (magic, entry count, checksum of its entries, crc32 of itself)
 * and its entries (keyTable.ts's layout). Whoever reads new lines of the data file appends one
 * block with their entries (one write), so the index covers a prefix of the data file; on open
 * the index is read with one read, each block checked with one checksum pass over its words, and the
 * key table built over those bytes as they are (no object per entry, no copy), then only the
 * lines after that prefix are read. Several processes may append the same entries: harmless
 * (the last one of a key wins). A missing, torn (partial block, bad crc), stale (another inode,
 * ranges past the end) or older-format index is rebuilt from the data file and replaced
 * atomically.
 *
 * Invalid lines (a crash mid-write, foreign text) get an entry with an all-zero key, so
 * `invalidLines` survives reopening without a rescan. A last line without a newline that is a
 * whole record is accepted; otherwise it is a torn tail (reported, never indexed) and the next
 * append starts with a newline so it cannot glue onto it.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp, openSync, readSync, closeSync, statSync, type Stats } from 'node:fs';
import { crc32 } from 'node:zlib';
import { ENTRY_BYTES, KEY_BYTES, KeyTable } from './keyTable';

const MAGIC = Buffer.from('R2LLMIX2', 'latin1');
const BLOCK_MAGIC = Buffer.from('R2LLMBLK', 'latin1');
const KEY_PREFIX = Buffer.from('{"key":"', 'latin1');
const HEX_CHARS = KEY_BYTES * 2;
/** Hex digit values by byte (-1: not a hex digit). */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}
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

function sealUnit(buf: Buffer, at: number): void {
  buf.writeUInt32LE(crc32(buf.subarray(at, at + ENTRY_BYTES - 4)) >>> 0, at + ENTRY_BYTES - 4);
}

function unitOk(buf: Buffer, at: number): boolean {
  return buf.readUInt32LE(at + ENTRY_BYTES - 4) === crc32(buf.subarray(at, at + ENTRY_BYTES - 4)) >>> 0;
}

function fileHeader(ino: number): Buffer {
  const h = Buffer.alloc(ENTRY_BYTES);
  MAGIC.copy(h, 0);
  h.writeDoubleLE(ino, 8);
  sealUnit(h, 0);
  return h;
}

/**
 * The checksum of a block's entries: FNV-1a over 32-bit words. It catches what a crash leaves (a
 * write cut short, zero-filled pages) at a fraction of zlib's crc32 cost over 48 MB (about 10x
 * less here), which is most of an open's CPU time at 10^6 entries.
 */
function entriesChecksum(buf: Buffer): number {
  const words = buf.length >>> 2;
  let h = 0x811c9dc5 | 0;
  if (buf.byteOffset % 4 === 0) {
    const w = new Int32Array(buf.buffer, buf.byteOffset, words);
    for (let i = 0; i < words; i++) h = Math.imul(h ^ w[i]!, 0x01000193);
  } else {
    for (let i = 0; i < words; i++) h = Math.imul(h ^ buf.readInt32LE(i * 4), 0x01000193);
  }
  return h >>> 0;
}

function isZeroEntryKey(buf: Buffer, at: number): boolean {
  for (let i = 0; i < KEY_BYTES; i += 4) if (buf.readInt32LE(at + i) !== 0) return false;
  return true;
}

/** A block: its header, then `entries` (whole 48-byte entries); the header alone with `withEntries` false. */
function block(entries: Buffer, withEntries = true): Buffer {
  const h = Buffer.alloc(ENTRY_BYTES);
  BLOCK_MAGIC.copy(h, 0);
  h.writeUInt32LE(entries.length / ENTRY_BYTES, 8);
  h.writeUInt32LE(entriesChecksum(entries), 12);
  sealUnit(h, 0);
  return withEntries ? Buffer.concat([h, entries]) : h;
}

/**
 * The blocks of an index file's bytes as [first entry unit, count, checksum of the entries],
 * or undefined when the file is not a whole format-2 index of the data file with inode `ino`
 * (the entries' checksums are checked by the caller, in its one pass over them).
 */
function readBlocks(buf: Buffer, ino: number): [number, number, number][] | undefined {
  if (buf.length < ENTRY_BYTES || buf.length % ENTRY_BYTES !== 0 || !unitOk(buf, 0)) return undefined;
  if (buf.compare(MAGIC, 0, MAGIC.length, 0, MAGIC.length) !== 0 || buf.readDoubleLE(8) !== ino) return undefined;
  const units = buf.length / ENTRY_BYTES;
  const blocks: [number, number, number][] = [];
  for (let u = 1; u < units; ) {
    const at = u * ENTRY_BYTES;
    if (!unitOk(buf, at) || buf.compare(BLOCK_MAGIC, 0, BLOCK_MAGIC.length, at, at + BLOCK_MAGIC.length) !== 0) return undefined;
    const n = buf.readUInt32LE(at + 8);
    if (u + 1 + n > units) return undefined; // torn: a block cut short
    blocks.push([u + 1, n, buf.readUInt32LE(at + 12)]);
    u += 1 + n;
  }
  return blocks;
}

/** Reads a whole file into a fresh (8-byte aligned) buffer with as few reads as it takes. */
async function readWhole(file: string): Promise<Buffer | undefined> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.allocUnsafeSlow(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await fh.read(buf, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at === size ? buf : buf.subarray(0, at - (at % ENTRY_BYTES));
  } finally {
    await fh.close();
  }
}

/**
 * Writes the key of a record line [start, end) of `buf` into `out[at..at+32)`, without parsing
 * the line: every record starts with {"key":"<64 hex>". False (nothing usable written) otherwise.
 */
function lineKeyInto(buf: Buffer, start: number, end: number, out: Buffer, at: number): boolean {
  if (end - start < KEY_PREFIX.length + HEX_CHARS + 2) return false;
  for (let i = 0; i < KEY_PREFIX.length; i++) if (buf[start + i] !== KEY_PREFIX[i]) return false;
  const h = start + KEY_PREFIX.length;
  if (buf[h + HEX_CHARS] !== 0x22 || buf[end - 1] !== 0x7d) return false;
  for (let i = 0; i < KEY_BYTES; i++) {
    const hi = HEX[buf[h + 2 * i]!]!;
    const lo = HEX[buf[h + 2 * i + 1]!]!;
    if (hi < 0 || lo < 0) return false;
    out[at + i] = (hi << 4) | lo;
  }
  return true;
}

/**
 * Index entries under construction, in one growing buffer (no allocation per entry), after
 * `reserved` units left free for the headers of the file it becomes.
 */
class EntryBuffer {
  buf: Buffer;
  count = 0;

  constructor(readonly reserved = 0) {
    this.buf = Buffer.alloc((reserved + 64) * ENTRY_BYTES);
  }

  /** Reserves the next (zeroed) entry; returns its byte position. */
  next(): number {
    if ((this.reserved + this.count + 1) * ENTRY_BYTES > this.buf.length) {
      const grown = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(grown, 0, 0, (this.reserved + this.count) * ENTRY_BYTES);
      this.buf = grown;
    }
    return (this.reserved + this.count++) * ENTRY_BYTES;
  }

  /** The entries alone. */
  entries(): Buffer {
    return this.buf.subarray(this.reserved * ENTRY_BYTES, (this.reserved + this.count) * ENTRY_BYTES);
  }
}

/** Longer than any record: a "last line" this long is foreign bytes, not a record to parse. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

function isWholeRecord(line: Buffer): boolean {
  if (line.length > MAX_RECORD_BYTES) return false;
  const text = line.toString('utf8');
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
  /**
   * The data file as the last read saw it (inode, size; -1: no file), advanced past our own
   * appends when nothing else was appended between: `changed()` compares it with a stat.
   */
  private seen = { ino: -1, size: 0 };

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

  /**
   * Whether the data file may hold lines no read has seen (another process or instance appended,
   * cleared or replaced it): one synchronous stat, so a lookup that misses pays a read of the
   * file only when there is something new to read.
   */
  changed(): boolean {
    const st = statSync(this.file, { throwIfNoEntry: false });
    if (!st) return this.seen.ino !== -1;
    return st.ino !== this.seen.ino || st.size !== this.seen.size;
  }

  /**
   * Our append of `bytes` ended with the file at `after`: if those are the only bytes added since
   * the last read, the file holds nothing unseen (our records are in memory already). Else
   * `seen` stays behind and the next miss reads what the other writer added.
   */
  noteOwnAppend(after: Stats, bytes: number): void {
    // A file our append created counts too (no file seen, and it holds just our bytes).
    const same = after.ino === this.seen.ino || (this.seen.ino === -1 && this.seen.size === 0);
    if (same && after.size === this.seen.size + bytes) this.seen = { ino: after.ino, size: after.size };
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
    this.seen = { ino: -1, size: 0 };
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
      // What this read saw (an append after its stat is not in it: `changed()` then says so).
      this.seen = { ino: st.ino, size: st.size };
    } finally {
      await fh.close();
    }
  }

  /** Loads the index if it fits the data file; else rebuilds it. */
  private async loadIndex(dataSize: number): Promise<void> {
    const buf = await readWhole(this.indexFile);
    const blocks = buf ? readBlocks(buf, this.ino) : undefined;
    if (buf && blocks) {
      // One pass over the entries: each block's checksum, the covered prefix and the
      // invalid-line markers (typed views over the same bytes; ENTRY_BYTES = 12 words).
      const i32 = new Int32Array(buf.buffer, buf.byteOffset, buf.length / 4);
      const f64 = new Float64Array(buf.buffer, buf.byteOffset, buf.length / 8);
      let end = 0;
      let intact = true;
      for (const [first, n, sum] of blocks) {
        let h = 0x811c9dc5 | 0;
        for (let u = first; u < first + n; u++) {
          const w = u * 12;
          let zero = true;
          for (let k = 0; k < 12; k++) {
            const x = i32[w + k]!;
            h = Math.imul(h ^ x, 0x01000193);
            if (k < 8 && x !== 0) zero = false;
          }
          const offset = f64[u * 6 + 4]!;
          end = Math.max(end, offset + (i32[w + 10]! >>> 0));
          if (zero) this.invalidOffsets.add(offset);
        }
        if (h >>> 0 !== sum) intact = false;
      }
      if (intact && end <= dataSize) {
        this.table = KeyTable.over(buf, blocks.reduce((a, b) => a + b[1], 0), (place) => {
          for (const [first, n] of blocks) for (let u = first; u < first + n; u++) place(u);
        });
        this.scanned = end;
        return;
      }
      this.invalidOffsets = new Set();
    }
    await this.rebuild(dataSize);
  }

  /** Indexes the whole data file and replaces the index atomically. */
  private async rebuild(dataSize: number): Promise<void> {
    this.table = new KeyTable();
    this.scanned = 0;
    this.invalidOffsets = new Set();
    const fh = await fsp.open(this.file, 'r');
    // The entries are written after room for the file header and one block header, so the
    // buffer is the index file, and the key table is built over it (no insert, no rehash).
    const out = new EntryBuffer(2);
    try {
      await this.scanRange(fh, dataSize, out);
    } finally {
      await fh.close();
    }
    const file = out.buf.subarray(0, (2 + out.count) * ENTRY_BYTES);
    fileHeader(this.ino).copy(file, 0);
    block(out.entries(), false).copy(file, ENTRY_BYTES);
    this.table = KeyTable.over(file, out.count, (place) => {
      for (let u = 2; u < 2 + out.count; u++) place(u);
    });
    // Unique per call: two rebuilds in one process within the same millisecond (a study's parallel
    // cells opening one cache) shared a name, and the second rename failed with ENOENT.
    const tmp = `${this.indexFile}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    await fsp.writeFile(tmp, out.count ? file : file.subarray(0, ENTRY_BYTES));
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
    const out = new EntryBuffer();
    await this.scanRange(fh, size, out);
    const e = out.buf;
    for (let i = 0, at = 0; i < out.count; i++, at += ENTRY_BYTES) {
      if (!isZeroEntryKey(e, at)) this.table.insert(e, at, e.readDoubleLE(at + KEY_BYTES), e.readUInt32LE(at + KEY_BYTES + 8));
    }
    if (out.count) await fsp.appendFile(this.indexFile, block(out.entries()));
  }

  /** Reads lines from `scanned` to `size` and writes their index entries into `out`. */
  private async scanRange(fh: fsp.FileHandle, size: number, out: EntryBuffer): Promise<void> {
    let pos = this.scanned;
    this.torn = false;
    this.needsNewline = false;
    // One working buffer: the partial last line of a read moves to its front and the next read
    // goes after it, so only that line is copied (it grows for a line longer than a chunk).
    let work = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, size - pos)));
    let carryLen = 0;
    let carryStart = pos;
    while (pos < size) {
      if (carryLen === work.length) {
        const grown = Buffer.allocUnsafe(work.length * 2);
        work.copy(grown, 0, 0, carryLen);
        work = grown;
      }
      const want = Math.min(work.length - carryLen, size - pos);
      const { bytesRead } = await fh.read(work, carryLen, want, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const buf = work.subarray(0, carryLen + bytesRead);
      const base = carryStart;
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
        this.indexLine(buf, start, nl, base, out);
        start = nl + 1;
      }
      carryLen = buf.length - start;
      if (carryLen > 0 && start > 0) buf.copy(work, 0, start);
      carryStart = base + start;
    }
    this.scanned = carryStart;
    if (carryLen > 0) {
      // A last line without its newline: a whole record is accepted; a partial one stays out.
      const carry = work.subarray(0, carryLen);
      if (isWholeRecord(carry)) {
        this.indexLine(carry, 0, carry.length, carryStart, out);
        this.scanned = carryStart + carry.length;
      } else this.torn = true;
      this.needsNewline = true;
    }
  }

  /** Writes the index entry of line [start, end) of `buf` (file offset `base + start`) into `out`. */
  private indexLine(buf: Buffer, start: number, end: number, base: number, out: EntryBuffer): void {
    if (end === start || (end - start === 1 && buf[start] === 0x0d)) return;
    let blank = true;
    for (let i = start; i < end && blank; i++) blank = buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x0d;
    if (blank) return;
    const at = out.next();
    const e = out.buf;
    const offset = base + start;
    const keyed = lineKeyInto(buf, start, end, e, at);
    if (!keyed) e.fill(0, at, at + KEY_BYTES);
    e.writeDoubleLE(offset, at + KEY_BYTES);
    e.writeUInt32LE(end - start, at + KEY_BYTES + 8);
    if (!keyed) this.invalidOffsets.add(offset);
  }
}
