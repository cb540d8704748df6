/**
 * Clients the stage benchmark wraps around the real one (bench/stageBench.ts): keeping a run's
 * answers, and answering a second run from them (the reflection floor; scheduling alone).
 */
import type { ChatRequest, ChatResult, LlmClient } from '../src/core/llm';

/** `inner` with its chat replaced (the rest passed through; `extraCalls` added to its usage). */
function withChat(inner: LlmClient, chat: LlmClient['chat'], extraCalls: () => number = () => 0): LlmClient {
  return {
    chat,
    embed: (texts, signal) => inner.embed(texts, signal),
    usage: () => {
      const u = inner.usage();
      return { ...u, calls: u.calls + extraCalls() };
    },
    describe: () => inner.describe(),
    ...(inner.onBackoff ? { onBackoff: inner.onBackoff.bind(inner) } : {}),
  };
}

/**
 * The client with its redundancy answers kept (`record`) or, where one was kept for the same
 * question, answered from them at once and free (`serve`): the reflection floor.
 */
export function redundancyAnswers(inner: LlmClient, answers: Map<string, ChatResult>, mode: 'record' | 'serve'): LlmClient {
  return withChat(inner, async (req, signal) => {
    const question = req.purpose === 'redundancy' ? JSON.stringify(req.messages) : undefined;
    const kept = question === undefined ? undefined : answers.get(question);
    if (mode === 'serve' && kept) {
      await new Promise((r) => setImmediate(r));
      return { ...kept, cached: true };
    }
    const res = await inner.chat(req, signal);
    if (mode === 'record' && question !== undefined) answers.set(question, res);
    return res;
  });
}

const requestKey = (req: ChatRequest): string => JSON.stringify([req.purpose ?? '', req.messages]);

/** The client with every answer it was sent for kept, by request. */
export function allAnswers(inner: LlmClient, answers: Map<string, ChatResult>): LlmClient {
  return withChat(inner, async (req, signal) => {
    const res = await inner.chat(req, signal);
    if (!res.cached) answers.set(requestKey(req), res);
    return res;
  });
}

/**
 * A request answered from `answers` exactly `latencyMs` after it is made, with no network and no
 * work on this thread (an answer not kept goes to `inner`); asked again, it comes back at once as
 * a cache hit, as the response cache would, and a request made while the same is in flight waits
 * for it. The reflection row "scheduling alone": what the run's order of requests costs, without
 * the client's CPU, which on a two-core machine moves with the machine's speed.
 */
export function exactLatency(inner: LlmClient, answers: Map<string, ChatResult>, latencyMs: number): LlmClient {
  const done = new Set<string>();
  const flying = new Map<string, Promise<void>>();
  let calls = 0;
  return withChat(
    inner,
    async (req, signal) => {
      const k = requestKey(req);
      const kept = answers.get(k);
      if (!kept) return inner.chat(req, signal);
      if (done.has(k)) return { ...kept, cached: true };
      const inFlight = flying.get(k);
      if (inFlight) {
        await inFlight;
        return { ...kept, cached: true };
      }
      calls++;
      const wait = new Promise<void>((r) => setTimeout(r, latencyMs));
      flying.set(k, wait);
      await wait;
      flying.delete(k);
      done.add(k);
      return { ...kept, cached: false };
    },
    () => calls,
  );
}
