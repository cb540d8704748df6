/**
 * What one endpoint's tokens cost, in one place: the client's usage accounting, `re2llm plan` and
 * the stage estimates all read it. Prices the user did not set are 0 for an endpoint on this
 * machine (Ollama, LM Studio, vLLM, the simulator) and gpt-4o-mini's list price for a remote one.
 */
import type { Re2llmConfig } from '../config/defaults';

export interface Prices {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** List price used when a remote endpoint has no prices set (gpt-4o-mini, USD per million tokens). */
export const DEFAULT_REMOTE_PRICES: Prices = { inputPerMTok: 0.15, outputPerMTok: 0.6 };

/** Endpoints on this machine usually need no key and cost nothing. */
export function isLoopbackUrl(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
  } catch {
    return false;
  }
}

export function effectivePrices(llm: Pick<Re2llmConfig['llm'], 'baseUrl' | 'inputCostPerMTok' | 'outputCostPerMTok'>): Prices {
  const local = isLoopbackUrl(llm.baseUrl);
  return {
    inputPerMTok: llm.inputCostPerMTok ?? (local ? 0 : DEFAULT_REMOTE_PRICES.inputPerMTok),
    outputPerMTok: llm.outputCostPerMTok ?? (local ? 0 : DEFAULT_REMOTE_PRICES.outputPerMTok),
  };
}
