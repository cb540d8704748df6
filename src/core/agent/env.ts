/**
 * The agent's view of a problem: a contextual bandit. A step picks context i, the agent answers
 * with arm a, and the environment returns a reward; there is no next state (horizon 1).
 * Implemented by the synthetic bandit file (`syntheticBandit.ts`) and by the LLM-backed reward
 * (`llmBandit.ts`), so the trainer cannot tell them apart.
 */
export interface BanditEnv {
  /** State dimension. */
  readonly dim: number;
  /** Number of arms (actions); arm 0 is "no hint" with reward 0 in this project. */
  readonly arms: number;
  /** Number of contexts. */
  readonly size: number;
  /** The state of context i (0 <= i < size). Must return the same values every call. */
  context(i: number): Float32Array;
  /** Reward for arm a in context i. May be async (an LLM call); must be deterministic. */
  reward(i: number, a: number): number | Promise<number>;
}
