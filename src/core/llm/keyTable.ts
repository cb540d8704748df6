/**
 * An in-memory map from a 32-byte cache key (sha256) to where its record sits in a data file,
 * on flat buffers instead of a Map of hex strings: 10^6 entries take about 56 MB and load in a
 * fraction of a second, since loading is a copy of the index file plus one probe per entry.
 *
 * Entries use the index file's own layout (ENTRY_BYTES each): key (32) | offset f64 (8) |
 * length u32 (4) | crc32 of the first 44 bytes (4). Open addressing with linear probing; the
 * slot is the key's first 4 bytes (uniform, it is a hash). A later entry for a key replaces the
 * earlier one (the last record of a key wins, as in the JSONL file).
 */
export const ENTRY_BYTES = 48;
export const KEY_BYTES = 32;

export class KeyTable {
  /** Entries in insertion order (ENTRY_BYTES each); `used` of them are valid. */
  private entries: Buffer;
  private used = 0;
  /** Slot -> entry index + 1 (0: empty). Length is a power of two, at most half full. */
  private slots: Int32Array;
  private unique = 0;

  constructor(capacity = 1024) {
    this.entries = Buffer.alloc(Math.max(1, capacity) * ENTRY_BYTES);
    this.slots = new Int32Array(pow2AtLeast(capacity * 2));
  }

  /**
   * A table over an index file's bytes as they are (no copy): entries `first..` of `buf`, those
   * whose key is not all zeros (invalid-line markers) placed in the slots.
   */
  static over(buf: Buffer, first: number): KeyTable {
    const n = buf.length / ENTRY_BYTES;
    const t = new KeyTable(1);
    t.entries = buf;
    t.used = n;
    t.slots = new Int32Array(pow2AtLeast(Math.max(16, (n - first) * 2)));
    for (let i = first; i < n; i++) {
      const at = i * ENTRY_BYTES;
      let zero = true;
      for (let b = 0; b < KEY_BYTES && zero; b += 4) zero = buf.readUInt32LE(at + b) === 0;
      if (!zero) t.place(i);
    }
    return t;
  }

  /** Distinct keys. */
  get size(): number {
    return this.unique;
  }

  /** Adds the entry at `src[at .. at + ENTRY_BYTES)` (offset and length already written there). */
  insertEntry(src: Buffer, at: number): void {
    if (this.used * ENTRY_BYTES >= this.entries.length) {
      const grown = Buffer.alloc(this.entries.length * 2);
      this.entries.copy(grown, 0, 0, this.used * ENTRY_BYTES);
      this.entries = grown;
    }
    src.copy(this.entries, this.used * ENTRY_BYTES, at, at + ENTRY_BYTES);
    const index = this.used++;
    if ((this.unique + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    this.place(index);
  }

  insert(key: Buffer, offset: number, length: number): void {
    const e = Buffer.alloc(ENTRY_BYTES);
    key.copy(e, 0, 0, KEY_BYTES);
    e.writeDoubleLE(offset, KEY_BYTES);
    e.writeUInt32LE(length, KEY_BYTES + 8);
    this.insertEntry(e, 0);
  }

  get(key: Buffer): { offset: number; length: number } | undefined {
    const mask = this.slots.length - 1;
    for (let s = key.readUInt32LE(0) & mask; ; s = (s + 1) & mask) {
      const v = this.slots[s]!;
      if (v === 0) return undefined;
      const at = (v - 1) * ENTRY_BYTES;
      if (this.entries.compare(key, 0, KEY_BYTES, at, at + KEY_BYTES) === 0) {
        return { offset: this.entries.readDoubleLE(at + KEY_BYTES), length: this.entries.readUInt32LE(at + KEY_BYTES + 8) };
      }
    }
  }

  private place(index: number): void {
    const at = index * ENTRY_BYTES;
    const mask = this.slots.length - 1;
    for (let s = this.entries.readUInt32LE(at) & mask; ; s = (s + 1) & mask) {
      const v = this.slots[s]!;
      if (v === 0) {
        this.slots[s] = index + 1;
        this.unique++;
        return;
      }
      const other = (v - 1) * ENTRY_BYTES;
      if (this.entries.compare(this.entries, at, at + KEY_BYTES, other, other + KEY_BYTES) === 0) {
        this.slots[s] = index + 1; // last wins
        return;
      }
    }
  }

  private rehash(n: number): void {
    const old = this.slots;
    this.slots = new Int32Array(n);
    this.unique = 0;
    for (const v of old) if (v !== 0) this.place(v - 1);
  }
}

function pow2AtLeast(n: number): number {
  let p = 16;
  while (p < n) p *= 2;
  return p;
}
