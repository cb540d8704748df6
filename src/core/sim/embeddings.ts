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

/**
 * An embeddings request body answered as the simulator's route answers it (status and JSON
 * body, no faults): the Batch API's `/v1/embeddings` lines use it.
 */
export function simEmbeddingsAnswer(body: Record<string, unknown>, model = 're2llm-sim-embedding'): { status: number; body: unknown } {
  const input = body.input;
  const texts = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((t) => typeof t === 'string') ? (input as string[]) : undefined;
  const invalid = (message: string) => ({ status: 400, body: { error: { message, type: 'invalid_request_error', param: null, code: null } } });
  if (!texts) return invalid("'input' must be a string or an array of strings");
  const dim = body.dimensions === undefined ? DEFAULT_SIM_EMBEDDING_DIM : Number(body.dimensions);
  if (!Number.isInteger(dim) || dim < 1 || dim > 8192) return invalid("'dimensions' must be an integer in 1..8192");
  const tokens = texts.reduce((a, t) => a + Math.ceil(t.length / 4), 0);
  return {
    status: 200,
    body: {
      object: 'list',
      data: texts.map((t, index) => ({ object: 'embedding', index, embedding: simEmbedding(t, dim) })),
      model: typeof body.model === 'string' ? body.model : model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  };
}
