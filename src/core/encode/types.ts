/**
 * Session state encoders: each item's text is embedded, then a session's state is the mean of
 * its history items' vectors (the paper mean-pools BERT embeddings). Pluggable by
 * `encoder.kind`: hashing (default, no download), onnx (a local sentence-embedding model),
 * openai (the embeddings endpoint), profile (attribute concentration, computed per session).
 */
import type { Item } from '../data/types';

export interface SessionEncoder {
  /** Identifies the encoder and its settings (goes into manifests and cache keys). */
  readonly id: string;
  /** Length of every vector it returns. */
  readonly dim: number;
  /**
   * prompt.historyLimit: a session's state is computed from the history the prompt shows
   * (promptedHistory), set by createEncoder; when absent, the setting's default.
   */
  historyLimit?: number;
  /** One vector per item, in order. */
  encodeItems(items: Item[]): Promise<Float32Array[]>;
  /**
   * Session-level encoders (profile) compute the state from the whole history instead of the
   * mean of item vectors; when present, encodeSessions uses it.
   */
  encodeHistory?(items: readonly Item[]): Float32Array;
}

/**
 * The text of an item as encoders see it: the title, then each attribute family with its values,
 * e.g. "Toy Story (1995). genres: Animation, Comedy. directors: John Lasseter".
 * Families are sorted so the text does not depend on the importer's key order.
 */
export function itemText(item: Item): string {
  const parts = [item.title.trim()];
  for (const fam of Object.keys(item.attributes).sort()) {
    const vals = item.attributes[fam]!.map((v) => v.trim()).filter(Boolean);
    if (vals.length) parts.push(`${fam}: ${vals.join(', ')}`);
  }
  return parts.join('. ');
}
