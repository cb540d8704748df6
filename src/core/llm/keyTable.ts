/**
 * An in-memory map from a 32-byte cache key (sha256) to where its record sits in a data file, on
 * typed arrays instead of a Map of hex strings or a JS object per entry: loading 10^6 entries is
 * one pass over the index file's bytes (no copy: the table keeps the file's buffer as its store)
 * with integer key compares, and a lookup is one hash probe.
 *
 * Entries use the index file's layout (ENTRY_BYTES each, little-endian): key (32) | offset f64 (8)
 * | length u32 (4) | reserved (4). Entries loaded from the file stay in its buffer ("base"); those
 * added later go to a growable buffer of the same layout ("extra"). Open addressing with linear
 * probing; the slot is the key's first 4 bytes (uniform, it is a hash); a slot holds entry + 1
 * (0: empty), with base entries numbered by their 48-byte unit in the file and extra entries
 * after them. A later entry for a key replaces the earlier one (the last record of a key wins, as
 * in the JSONL file).
 */
export const ENTRY_BYTES = 48;
export const KEY_BYTES = 32;
/** Int32 words per entry, and the word of the key's end, the offset (as f64 index) and the length. */
const WORDS = ENTRY_BYTES / 4;
const KEY_WORDS = KEY_BYTES / 4;
const OFFSET_F64 = KEY_BYTES / 8;
const LENGTH_WORD = (KEY_BYTES + 8) / 4;

interface Store {
  i32: Int32Array;
  f64: Float64Array;
}

function storeOver(buf: ArrayBuffer, byteOffset: number, bytes: number): Store {
  return { i32: new Int32Array(buf, byteOffset, bytes / 4), f64: new Float64Array(buf, byteOffset, bytes / 8) };
}

/** Whether entry `u` of a store has an all-zero key (the index's marker of an invalid line). */
function isZeroKey(s: Store, u: number): boolean {
  const w = u * WORDS;
  for (let k = 0; k < KEY_WORDS; k++) if (s.i32[w + k] !== 0) return false;
  return true;
}

export class KeyTable {
  /** Entries loaded from an index file (its bytes, as they are); `baseUnits` 48-byte units. */
  private base: Store = { i32: new Int32Array(0), f64: new Float64Array(0) };
  private baseUnits = 0;
  /** Entries added since (same layout); `used` of them are valid. */
  private extra: Store;
  private used = 0;
  /** Slot -> entry + 1 (0: empty). Length is a power of two, at most half full. */
  private slots: Int32Array;
  private unique = 0;

  constructor(capacity = 1024) {
    this.extra = storeOver(new ArrayBuffer(Math.max(1, capacity) * ENTRY_BYTES), 0, Math.max(1, capacity) * ENTRY_BYTES);
    this.slots = new Int32Array(pow2AtLeast(capacity * 2));
  }

  /**
   * A table over an index file's bytes, without a copy: `units` lists the 48-byte units of `buf`
   * that are entries (`count` of them; the others are headers); those whose key is all zeros (invalid-line
   * markers) are not placed. `buf` must start 8-byte aligned (fresh allocations do).
   */
  static over(buf: Uint8Array, count: number, units: (place: (u: number) => void) => void): KeyTable {
    if (buf.byteOffset % 8 !== 0 || buf.length % ENTRY_BYTES !== 0) throw new Error('KeyTable.over: the index buffer must be 8-byte aligned and whole entries');
    const t = new KeyTable(16);
    t.base = storeOver(buf.buffer as ArrayBuffer, buf.byteOffset, buf.length);
    t.baseUnits = buf.length / ENTRY_BYTES;
    t.slots = new Int32Array(pow2AtLeast(Math.max(16, count * 2)));
    units((u) => {
      if (!isZeroKey(t.base, u)) t.place(u + 1);
    });
    return t;
  }

  /** Distinct keys. */
  get size(): number {
    return this.unique;
  }

  /** Adds an entry whose key is the 32 bytes at `src[at..]` (a later one for the same key replaces it). */
  insert(src: Buffer, at: number, offset: number, length: number): void {
    if ((this.used + 1) * ENTRY_BYTES > this.extra.i32.byteLength) {
      const bytes = this.extra.i32.byteLength * 2;
      const grown = storeOver(new ArrayBuffer(bytes), 0, bytes);
      grown.i32.set(this.extra.i32.subarray(0, this.used * WORDS));
      this.extra = grown;
    }
    const u = this.used++;
    const w = u * WORDS;
    for (let k = 0; k < KEY_WORDS; k++) this.extra.i32[w + k] = src.readInt32LE(at + k * 4);
    this.extra.f64[u * (WORDS / 2) + OFFSET_F64] = offset;
    this.extra.i32[w + LENGTH_WORD] = length | 0;
    if ((this.unique + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    this.place(this.baseUnits + u + 1);
  }

  get(key: Buffer): { offset: number; length: number } | undefined {
    const k0 = key.readInt32LE(0);
    const mask = this.slots.length - 1;
    for (let s = k0 & mask; ; s = (s + 1) & mask) {
      const v = this.slots[s]!;
      if (v === 0) return undefined;
      const inBase = v <= this.baseUnits;
      const st = inBase ? this.base : this.extra;
      const u = inBase ? v - 1 : v - 1 - this.baseUnits;
      const w = u * WORDS;
      let same = st.i32[w] === k0;
      for (let k = 1; k < KEY_WORDS && same; k++) same = st.i32[w + k] === key.readInt32LE(k * 4);
      if (same) return { offset: st.f64[u * (WORDS / 2) + OFFSET_F64]!, length: st.i32[w + LENGTH_WORD]! >>> 0 };
    }
  }

  /** Puts slot value `v` (entry + 1) in its slot: a free one, or the one of the same key. */
  private place(v: number): void {
    const base = this.baseUnits;
    const i32 = v <= base ? this.base.i32 : this.extra.i32;
    const w = (v <= base ? v - 1 : v - 1 - base) * WORDS;
    const mask = this.slots.length - 1;
    for (let s = i32[w]! & mask; ; s = (s + 1) & mask) {
      const o = this.slots[s]!;
      if (o === 0) {
        this.slots[s] = v;
        this.unique++;
        return;
      }
      const oi32 = o <= base ? this.base.i32 : this.extra.i32;
      const ow = (o <= base ? o - 1 : o - 1 - base) * WORDS;
      let same = true;
      for (let k = 0; k < KEY_WORDS && same; k++) same = oi32[ow + k] === i32[w + k];
      if (same) {
        this.slots[s] = v; // last wins
        return;
      }
    }
  }

  private rehash(n: number): void {
    const old = this.slots;
    this.slots = new Int32Array(n);
    this.unique = 0;
    for (const v of old) if (v !== 0) this.place(v);
  }
}

function pow2AtLeast(n: number): number {
  let p = 16;
  while (p < n) p *= 2;
  return p;
}
