/**
 * Which responders the simulated LLM tries, in order: anything registered here, the reflection
 * and redundancy responders (reflectionResponder.ts), then rank. Callers may instead pass their
 * own list to startSimServer;
 * the rank responder always comes last, as the fallback for anything that looks like a rank
 * prompt (reflection prompts contain candidate lists too, so they must be tried first).
 */
import type { SimResponder } from './types';
import { rankResponder, RANK_RESPONDER_NAME } from './rankResponder';
import { reflectionResponders } from './reflectionResponder';

const registered: SimResponder[] = [];

/** Adds (or replaces, by name) a responder tried before the rank responder. */
export function registerSimResponder(responder: SimResponder): void {
  const i = registered.findIndex((r) => r.name === responder.name);
  if (i >= 0) registered[i] = responder;
  else registered.push(responder);
}

/** Registered responders, then reflection and redundancy (reflectionResponder.ts), then rank. */
export function defaultResponders(): SimResponder[] {
  const own = new Set(registered.map((r) => r.name));
  return [...registered, ...reflectionResponders().filter((r) => !own.has(r.name)), rankResponder()];
}

/** A caller's list, with the rank responder appended when it lacks one. */
export function withRankFallback(responders: SimResponder[]): SimResponder[] {
  return responders.some((r) => r.name === RANK_RESPONDER_NAME) ? responders : [...responders, rankResponder()];
}
