/**
 * Which checkpoint of a training run the evaluation uses (`agent.selection`):
 *   last             checkpoints/last.json, the end of training (the default: measured on the
 *                    simulator, picking the best of many validation points on a small
 *                    validation split overfits that split, see the README);
 *   best-validation  checkpoints/best.json, the best greedy validation reward seen.
 * Either falls back to the other when its file is missing (a run cancelled early has no best).
 */
import { join } from 'node:path';

export type CheckpointSelection = 'last' | 'best-validation';

export function checkpointCandidates(runDir: string, selection: CheckpointSelection): string[] {
  const best = join(runDir, 'checkpoints', 'best.json');
  const last = join(runDir, 'checkpoints', 'last.json');
  return selection === 'best-validation' ? [best, last] : [last, best];
}
