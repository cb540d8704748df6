/**
 * What one endpoint's tokens cost, in one place: the client's usage accounting, `re2llm plan` and
 * the stage estimates all read it. Prices the user did not set are 0 for an endpoint on this
 * machine (Ollama, LM Studio, vLLM, the simulator) and gpt-4o-mini's list price for a remote one.
 */
import type { Re2llmConfig } from '../config/defaults';

export interface Prices {
  inputPerMTok: number;
  outputPerMTok: number;
  /** Embedding input tokens (embeddings have no output tokens). */
  embeddingPerMTok: number;
}

/**
 * List prices used when a remote endpoint has no prices set (USD per million tokens): gpt-4o-mini
 * for chat, text-embedding-3-small for embeddings.
 */
export const DEFAULT_REMOTE_PRICES: Prices = { inputPerMTok: 0.15, outputPerMTok: 0.6, embeddingPerMTok: 0.02 };

/** Endpoints on this machine usually need no key and cost nothing. */
export function isLoopbackUrl(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
  } catch {
    return false;
  }
}

export type PricedLlm = Pick<Re2llmConfig['llm'], 'baseUrl' | 'inputCostPerMTok' | 'outputCostPerMTok' | 'embeddingCostPerMTok'>;

/** What a chat answer's tokens cost at `p` (online prices; a batch line costs BATCH_PRICE_FACTOR of it). */
export function chatCost(p: Prices, promptTokens: number, completionTokens: number): number {
  return (promptTokens * p.inputPerMTok + completionTokens * p.outputPerMTok) / 1e6;
}

/** A cost kept to 1e-9 (a nano-dollar), so sums do not depend on the order they were added in. */
export function roundCost(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

export function effectivePrices(llm: PricedLlm): Prices {
  const local = isLoopbackUrl(llm.baseUrl);
  return {
    inputPerMTok: llm.inputCostPerMTok ?? (local ? 0 : DEFAULT_REMOTE_PRICES.inputPerMTok),
    outputPerMTok: llm.outputCostPerMTok ?? (local ? 0 : DEFAULT_REMOTE_PRICES.outputPerMTok),
    embeddingPerMTok: llm.embeddingCostPerMTok ?? (local ? 0 : DEFAULT_REMOTE_PRICES.embeddingPerMTok),
  };
}
