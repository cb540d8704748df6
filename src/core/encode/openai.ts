/**
 * State encoder through the configured endpoint's embeddings API (`LlmClient.embed`, which
 * caches every answer like chat answers, so re-encoding costs nothing). The dimension is learned
 * from the first answer: `OpenAiEncoder.create` embeds the first text it is given.
 */
import type { Item } from '../data/types';
import type { LlmClient } from '../llm/types';
import { itemText, type SessionEncoder } from './types';

export class OpenAiEncoder implements SessionEncoder {
  readonly id: string;

  private constructor(private readonly client: LlmClient, readonly dim: number, private readonly batch: number) {
    this.id = `openai:${client.describe().embeddingModel}`;
  }

  /** Probes the endpoint once (with `probe`, cached) to learn the vector length. */
  static async create(client: LlmClient, probe: Item, batch = 64): Promise<OpenAiEncoder> {
    let v: number[][];
    try {
      v = await client.embed([itemText(probe)]);
    } catch (err) {
      throw new Error(`encoder openai (${client.describe().embeddingModel}): embeddings request failed: ${(err as Error).message}`);
    }
    const dim = v[0]?.length ?? 0;
    if (dim < 1) throw new Error(`encoder openai (${client.describe().embeddingModel}): the endpoint returned an empty embedding`);
    return new OpenAiEncoder(client, dim, batch);
  }

  async encodeItems(items: Item[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let s = 0; s < items.length; s += this.batch) {
      const texts = items.slice(s, s + this.batch).map(itemText);
      const vecs = await this.client.embed(texts);
      if (vecs.length !== texts.length) throw new Error(`encoder ${this.id}: ${vecs.length} embeddings for ${texts.length} texts`);
      for (const v of vecs) {
        if (v.length !== this.dim) throw new Error(`encoder ${this.id}: embedding of length ${v.length}, expected ${this.dim}`);
        out.push(Float32Array.from(v));
      }
    }
    return out;
  }
}
