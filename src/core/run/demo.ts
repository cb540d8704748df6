/**
 * The demo's settings, shared by `re2llm demo` and the extension's Start Demo: small enough to
 * finish in under a minute on two cores against the simulated LLM.
 *
 * The state encoder is `profile` (how concentrated the history is on each attribute family).
 * The simulator decides which hint helps a session from exactly that concentration, so this is
 * the encoder with which its signal can be learned; with the default `hashing` encoder the agent
 * does not beat the base model on the example (see the README). Both are documented figures about
 * the simulator, not about LLMs.
 */
import { CONDITION_IDS } from '../../protocol/conditions';

export const DEMO_SETTINGS: Record<string, unknown> = {
  'agent.steps': 3000,
  'encoder.kind': 'profile',
  'evaluation.testSample': 0,
  'evaluation.conditions': [...CONDITION_IDS],
  'reflection.maxSessions': 150,
};

/** The simulator's seed in the demo. */
export const DEMO_SIM_SEED = 1;
