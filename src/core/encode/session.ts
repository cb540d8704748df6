/**
 * Session state = mean of its prompted history items' vectors (the last prompt.historyLimit, as
 * the LLM sees them; encodedHistory). Item vectors are cached per
 * (encoder id, item id), so encoding a session costs one pooled sum once its items are known,
 * and many sessions are encoded with one batched `encodeItems` call for the missing items.
 */
import type { Session, SessionDataset, Item } from '../data/types';
import type { SessionEncoder } from './types';
import { promptedHistory } from '../prompts/history';
import { defaultConfig } from '../config/defaults';

/** The ids a session's state is computed from: exactly the history its prompt shows. */
export function encodedHistory(encoder: SessionEncoder, session: Session): string[] {
  return promptedHistory(session, encoder.historyLimit ?? defaultConfig().prompt.historyLimit);
}

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
  const histories = sessions.map((s) => {
    if (s.history.length === 0) throw new Error(`session ${s.id}: empty history, nothing to encode`);
    return encodedHistory(encoder, s);
  });
  if (encoder.encodeHistory) return sessions.map((s, i) => encoder.encodeHistory!(histories[i]!.map((id) => itemOf(dataset, id, s))));
  const missing = new Map<string, Item>();
  for (const [i, s] of sessions.entries()) {
    for (const id of histories[i]!) if (!cache.get(encoder.id, id) && !missing.has(id)) missing.set(id, itemOf(dataset, id, s));
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
  return histories.map((history) => {
    const out = new Float32Array(encoder.dim);
    for (const id of history) {
      const v = cache.get(encoder.id, id)!;
      for (let j = 0; j < out.length; j++) out[j]! += v[j]!;
    }
    for (let j = 0; j < out.length; j++) out[j]! /= history.length;
    return out;
  });
}

/** The state of one session: the mean of its history items' vectors. */
export async function encodeSession(encoder: SessionEncoder, dataset: SessionDataset, session: Session, cache = defaultItemCache): Promise<Float32Array> {
  return (await encodeSessions(encoder, dataset, [session], cache))[0]!;
}
