/**
 * The sessions an evaluation scores: all of a split, or a seeded sample of `size` of them kept
 * in split order (so tables read in the dataset's order and the sample is a pure function of
 * the seed, the split and the size).
 */
import type { Session } from '../data/types';
import { Rng } from '../util/rng';

export function sampleSessions(sessions: readonly Session[], size: number, seed: number, label: string): Session[] {
  if (size <= 0 || size >= sessions.length) return sessions.slice();
  const picked = Rng.derive(seed, `sample/${label}`).sample(
    sessions.map((_, i) => i),
    size,
  );
  return picked.sort((a, b) => a - b).map((i) => sessions[i]!);
}
