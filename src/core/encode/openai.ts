/**
 * State encoder through the configured endpoint's embeddings API (`LlmClient.embed`, which
 * caches every answer like chat answers, so re-encoding costs nothing). The dimension is learned
 * from the first answer: `OpenAiEncoder.create` embeds the first text it is given.
 */
import type { Item, Session, SessionDataset } from '../data/types';
import type { LlmClient } from '../llm/types';
import { promptedHistory } from '../prompts/history';
import { itemText, type SessionEncoder } from './types';

/**
 * The texts this encoder embeds to encode `sessions` (encodeSessions: the items of each prompted
 * history), with the probe item the worker and the evaluator create it with (the dataset's first
 * item) first, so a plan can ask them ahead through the batch executor (issue 13).
 */
export function openAiEncoderTexts(dataset: SessionDataset, sessions: readonly Session[], historyLimit: number): string[] {
  const texts = new Set<string>();
  const probe = dataset.items.values().next().value;
  if (probe) texts.add(itemText(probe));
  for (const s of sessions) {
    for (const id of promptedHistory(s, historyLimit)) {
      const item = dataset.items.get(id);
      if (item) texts.add(itemText(item));
    }
  }
  return [...texts];
}

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
