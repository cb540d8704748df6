/**
 * A client that is another one with its chat requests sent through `chat` instead: embeddings,
 * usage, description and back-off listeners stay the inner client's. What the wrappers that
 * record, meter or replay answers have in common (sessionSteps' ledger, paidAhead's views, the
 * stage bench's replays, tests' latency and counting clients).
 */
import type { LlmClient } from './types';

export function withChat(inner: LlmClient, chat: LlmClient['chat']): LlmClient {
  return {
    chat,
    embed: (texts, signal) => inner.embed(texts, signal),
    usage: () => inner.usage(),
    describe: () => inner.describe(),
    ...(inner.onBackoff ? { onBackoff: (listener: () => void) => inner.onBackoff!(listener) } : {}),
  };
}
