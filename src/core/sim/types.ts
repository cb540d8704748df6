/**
 * The simulated LLM answers each kind of prompt with a responder. The rank, embedding and
 * server parts live in this folder; reflection and redundancy responders are added by the
 * reflection module (`reflectionResponder.ts`). A responder must be deterministic given the
 * conversation and the simulator's seed.
 */
import type { ChatMessage } from '../llm/types';
import type { SessionDataset } from '../data/types';

export interface SimContext {
  dataset: SessionDataset;
  seed: number;
}

export interface SimResponder {
  /** For logs and statistics. */
  name: string;
  /** True when this responder should answer the conversation (checked in registration order). */
  matches(messages: ChatMessage[]): boolean;
  respond(messages: ChatMessage[], ctx: SimContext): string;
}
