/**
 * Deterministic embeddings for the simulated LLM: a signed hashed bag of words (and word
 * bigrams), L2-normalised. Texts sharing words get positive cosine similarity, which is all the
 * redundancy check and the "openai" state encoder need in demos and tests.
 */
import { hashString } from '../util/rng';

export const DEFAULT_SIM_EMBEDDING_DIM = 256;

function tokens(text: string): string[] {
  const words = text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const out = [...words];
  for (let i = 0; i + 1 < words.length; i++) out.push(`${words[i]} ${words[i + 1]}`);
  return out;
}

export function simEmbedding(text: string, dim: number = DEFAULT_SIM_EMBEDDING_DIM): number[] {
  const v = new Array<number>(dim).fill(0);
  const toks = tokens(text);
  for (const t of toks) {
    const h = hashString(t);
    const weight = t.includes(' ') ? 0.5 : 1;
    v[h % dim]! += (h & 0x80000000 ? -1 : 1) * weight;
  }
  let norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  if (norm === 0) {
    // Empty text: a fixed unit vector, so cosine similarity stays defined.
    v[0] = 1;
    norm = 1;
  }
  return v.map((x) => x / norm);
}
