/**
 * Clients the stage benchmark wraps around the real one (bench/stageBench.ts): keeping a run's
 * answers, and answering a second run from them (the reflection floor; scheduling alone).
 */
import { withChat, type ChatRequest, type ChatResult, type LlmClient } from '../src/core/llm';


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
 * The client with each redundancy question that `answers` (allAnswers) holds answered from there
 * at once and free: the reflection floor.
 */
export function redundancyAnswered(inner: LlmClient, answers: Map<string, ChatResult>): LlmClient {
  return withChat(inner, async (req, signal) => {
    const kept = req.purpose === 'redundancy' ? answers.get(requestKey(req)) : undefined;
    if (!kept) return inner.chat(req, signal);
    await new Promise((r) => setImmediate(r));
    return { ...kept, cached: true };
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
  const replaying = withChat(inner, async (req, signal) => {
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
  });
  // The calls answered here count as the client's own.
  return {
    ...replaying,
    usage: () => {
      const u = inner.usage();
      return { ...u, calls: u.calls + calls };
    },
  };
}
