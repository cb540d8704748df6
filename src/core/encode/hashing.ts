/**
 * The default state encoder: signed feature hashing (Weinberger et al. 2009) of an item's title
 * words and its attribute `family:value` tokens into `dim` buckets, L2-normalised per item.
 * Needs no model or network, and is deterministic: the same item always gets the same vector.
 * Attribute tokens keep the family so "year:1995" and a title word "1995" do not collide by
 * design; multi-word values are one token ("directors:john lasseter") plus their words; a
 * year-like value also yields its decade ("year:decade 1990s").
 */
import type { Item } from '../data/types';
import type { SessionEncoder } from './types';

export function itemTokens(item: Item): string[] {
  const words = (s: string) => s.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const out = words(item.title).map((w) => `t:${w}`);
  for (const fam of Object.keys(item.attributes).sort()) {
    const f = fam.toLowerCase();
    for (const value of item.attributes[fam]!) {
      const ws = words(value);
      if (!ws.length) continue;
      out.push(`${f}:${ws.join(' ')}`);
      if (ws.length > 1) for (const w of ws) out.push(`${f}~${w}`);
      // A year also counts towards its decade, so sessions concentrated on an era share a feature
      // even when their exact years differ.
      const year = /^(1[89]|20)\d\d$/.test(value.trim()) ? Number(value.trim()) : NaN;
      if (!Number.isNaN(year)) out.push(`${f}:decade ${Math.floor(year / 10) * 10}s`);
    }
  }
  return out;
}

/** 32-bit FNV-1a with a seed byte: two seeds give the bucket and the sign independently. */
function fnv(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // final avalanche (murmur3 fmix32) so short tokens spread over all buckets
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class HashingEncoder implements SessionEncoder {
  readonly id: string;

  constructor(readonly dim: number) {
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`hashing encoder: dim must be a positive integer, got ${dim}`);
    this.id = `hashing:${dim}`;
  }

  encodeOne(item: Item): Float32Array {
    const v = new Float32Array(this.dim);
    for (const tok of itemTokens(item)) {
      const j = fnv(tok, 0) % this.dim;
      v[j]! += fnv(tok, 0x5bd1e995) & 1 ? 1 : -1;
    }
    let n = 0;
    for (let j = 0; j < v.length; j++) n += v[j]! * v[j]!;
    if (n > 0) {
      const inv = 1 / Math.sqrt(n);
      for (let j = 0; j < v.length; j++) v[j]! *= inv;
    }
    return v;
  }

  async encodeItems(items: Item[]): Promise<Float32Array[]> {
    return items.map((it) => this.encodeOne(it));
  }
}
