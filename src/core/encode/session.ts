/**
 * Session state = mean of its history items' vectors. Item vectors are cached per
 * (encoder id, item id), so encoding a session costs one pooled sum once its items are known,
 * and many sessions are encoded with one batched `encodeItems` call for the missing items.
 */
import type { Session, SessionDataset, Item } from '../data/types';
import type { SessionEncoder } from './types';

/** Item vectors by encoder id, then item id. Shared by default; pass your own to isolate. */
export class ItemVectorCache {
  private readonly byEncoder = new Map<string, Map<string, Float32Array>>();

  get(encoderId: string, itemId: string): Float32Array | undefined {
    return this.byEncoder.get(encoderId)?.get(itemId);
  }

  set(encoderId: string, itemId: string, v: Float32Array): void {
    let m = this.byEncoder.get(encoderId);
    if (!m) this.byEncoder.set(encoderId, (m = new Map()));
    m.set(itemId, v);
  }

  size(encoderId: string): number {
    return this.byEncoder.get(encoderId)?.size ?? 0;
  }
}

const defaultItemCache = new ItemVectorCache();

function itemOf(dataset: SessionDataset, id: string, session: Session): Item {
  const item = dataset.items.get(id);
  if (!item) throw new Error(`session ${session.id}: history item ${id} is not in the dataset's items`);
  return item;
}

/** States of many sessions (one batched encode of all their uncached items). */
export async function encodeSessions(encoder: SessionEncoder, dataset: SessionDataset, sessions: readonly Session[], cache = defaultItemCache): Promise<Float32Array[]> {
  if (encoder.encodeHistory) {
    return sessions.map((s) => {
      if (s.history.length === 0) throw new Error(`session ${s.id}: empty history, nothing to encode`);
      return encoder.encodeHistory!(s.history.map((id) => itemOf(dataset, id, s)));
    });
  }
  const missing = new Map<string, Item>();
  for (const s of sessions) {
    if (s.history.length === 0) throw new Error(`session ${s.id}: empty history, nothing to encode`);
    for (const id of s.history) if (!cache.get(encoder.id, id) && !missing.has(id)) missing.set(id, itemOf(dataset, id, s));
  }
  if (missing.size) {
    const items = [...missing.values()];
    const vecs = await encoder.encodeItems(items);
    if (vecs.length !== items.length) throw new Error(`encoder ${encoder.id}: returned ${vecs.length} vectors for ${items.length} items`);
    vecs.forEach((v, i) => {
      if (v.length !== encoder.dim) throw new Error(`encoder ${encoder.id}: vector of length ${v.length}, expected ${encoder.dim}`);
      cache.set(encoder.id, items[i]!.id, v);
    });
  }
  return sessions.map((s) => {
    const out = new Float32Array(encoder.dim);
    for (const id of s.history) {
      const v = cache.get(encoder.id, id)!;
      for (let j = 0; j < out.length; j++) out[j]! += v[j]!;
    }
    for (let j = 0; j < out.length; j++) out[j]! /= s.history.length;
    return out;
  });
}

/** The state of one session: the mean of its history items' vectors. */
export async function encodeSession(encoder: SessionEncoder, dataset: SessionDataset, session: Session, cache = defaultItemCache): Promise<Float32Array> {
  return (await encodeSessions(encoder, dataset, [session], cache))[0]!;
}
