/**
 * Candidate sets for sessions built from logs: the target plus `size - 1` negatives drawn
 * uniformly from the catalogue, excluding the target and every history item, then shuffled so
 * the target's position carries no signal.
 */
import type { Rng } from '../util/rng';

/** The items negatives are drawn from: ids in a fixed order (for seeded draws) and as a set. */
export interface CandidatePool {
  ids: readonly string[];
  set: ReadonlySet<string>;
}

export function candidatePool(ids: Iterable<string>): CandidatePool {
  const list = [...new Set(ids)];
  return { ids: list, set: new Set(list) };
}

export function sampleCandidates(target: string, history: readonly string[], pool: CandidatePool, size: number, rng: Rng): string[] {
  const excluded = new Set(history);
  excluded.add(target);
  const need = size - 1;
  let excludedInPool = 0;
  for (const id of excluded) if (pool.set.has(id)) excludedInPool++;
  const available = pool.ids.length - excludedInPool;
  if (available < need) {
    throw new RangeError(`only ${available} items are neither the target nor in the history; ${need} negatives needed for ${size} candidates`);
  }
  let negatives: string[];
  if (excluded.size * 2 < pool.ids.length) {
    // Rejection sampling: cheap when the exclusions are a small part of the catalogue.
    const chosen = new Set<string>();
    while (chosen.size < need) {
      const id = pool.ids[rng.int(pool.ids.length)]!;
      if (!excluded.has(id)) chosen.add(id);
    }
    negatives = [...chosen];
  } else {
    negatives = rng.sample(
      pool.ids.filter((id) => !excluded.has(id)),
      need,
    );
  }
  return rng.shuffle([target, ...negatives]);
}
