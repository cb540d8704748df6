/**
 * Deterministic tie-breaking shared by the non-LLM baselines: ids that are both plain
 * non-negative integers compare numerically ("9" before "10"), anything else compares as strings.
 */
const NUMERIC = /^\d+$/;

export function compareIds(a: string, b: string): number {
  if (NUMERIC.test(a) && NUMERIC.test(b) && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
