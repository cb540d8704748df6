/**
 * Few-shot budget and validation slice, applied after any importer. The authors train on 500
 * sessions; `dataset.maxTrainSessions` caps the training pool (a seeded sample, original order
 * kept). When the source has no validation split, a seeded `dataset.validationFraction` of that
 * pool becomes validation. Sessions keep their origin ids wherever they land.
 */
import { Rng } from '../util/rng';
import type { Session } from './types';

export interface TrainPlan {
  train: Session[];
  validation: Session[];
  notes: string[];
}

export function planTrainAndValidation(
  train: Session[],
  validation: Session[] | undefined,
  opts: { maxTrainSessions: number; validationFraction: number; seed: number },
): TrainPlan {
  const notes: string[] = [];
  let pool = train;
  if (pool.length > opts.maxTrainSessions) {
    pool = seededSubset(pool, opts.maxTrainSessions, Rng.derive(opts.seed, 'train-cap'));
    notes.push(`training pool capped at ${opts.maxTrainSessions} of ${train.length} sessions (dataset.maxTrainSessions, seed ${opts.seed}); the rest are not used`);
  }
  if (validation) return { train: pool, validation, notes };
  const n = Math.round(pool.length * opts.validationFraction);
  const picked = new Set(seededSubset(pool, n, Rng.derive(opts.seed, 'validation')).map((s) => s.id));
  const out = { train: pool.filter((s) => !picked.has(s.id)), validation: pool.filter((s) => picked.has(s.id)), notes };
  notes.push(`validation sliced from train: ${out.validation.length} sessions (dataset.validationFraction ${opts.validationFraction}, seed ${opts.seed})`);
  return out;
}

/** k sessions drawn uniformly, returned in their original order. */
function seededSubset(sessions: Session[], k: number, rng: Rng): Session[] {
  const chosen = new Set(rng.sample(sessions.map((_, i) => i), k));
  return sessions.filter((_, i) => chosen.has(i));
}
