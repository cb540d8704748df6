/**
 * Checkpoint selection (`agent.selection`), applied after training so that changing it re-selects
 * without retraining:
 * - `last`: the end of training (checkpoints/last.json);
 * - `best-validation`: the checkpoint with the best greedy reward on the validation split
 *   (checkpoints/best.json);
 * - `kfold`: K-fold on the training sessions. The training sessions are dealt into K folds (a
 *   seeded permutation, then round robin). For each fold k an agent with the same PPO arguments
 *   and the same total steps (so the same learning-rate schedule and validation points) is
 *   trained on the other K-1 folds and scored greedily on fold k at every validation point. The
 *   step whose held-out reward, averaged over the K folds, is highest (the earliest on a tie) is
 *   then taken from the agent trained on all training sessions, which saved a checkpoint at every
 *   validation point (checkpoints/steps/step-N.json). The validation split plays no part in it.
 *
 * The fold agents live in `kfold-K/fold-k/` inside the main run folder (each an ordinary,
 * resumable run folder), so K-fold is keyed by the train key plus K; `kfold-K/selection.json`
 * records the curves and the pick. Their rewards come from the same (session, hint) answers as
 * the main run's (the response cache), so they cost CPU and at most the training sessions' pairs
 * the main run did not ask.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../util/rng';
import { InputError } from '../util/errors';
import { exists, writeJsonAtomic } from '../util/fs';
import { RUN_FILES } from '../../protocol/runFolder';

export const SELECTIONS = ['last', 'best-validation', 'kfold'] as const;
export type CheckpointSelection = (typeof SELECTIONS)[number];

/** Which of K folds a training session (by position) falls in. */
export function kfoldAssignment(n: number, folds: number, seed: number): number[] {
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`kfold: need at least 2 folds, got ${folds}`);
  if (n < folds) throw new RangeError(`kfold: ${n} training sessions cannot fill ${folds} folds`);
  const order = Rng.derive(seed, 'kfold').shuffle(Array.from({ length: n }, (_, i) => i));
  const out = new Array<number>(n).fill(0);
  order.forEach((idx, pos) => (out[idx] = pos % folds));
  return out;
}

/** The training and held-out sessions of fold `index` of `of`. */
export function foldSplit<T>(sessions: readonly T[], fold: { index: number; of: number }, seed: number): { train: T[]; heldOut: T[] } {
  if (!Number.isInteger(fold.index) || fold.index < 0 || fold.index >= fold.of) throw new RangeError(`kfold: fold ${fold.index} is not in 0..${fold.of - 1}`);
  const a = kfoldAssignment(sessions.length, fold.of, seed);
  return { train: sessions.filter((_, i) => a[i] !== fold.index), heldOut: sessions.filter((_, i) => a[i] === fold.index) };
}

export function stepCheckpointPath(runDir: string, step: number): string {
  return join(runDir, RUN_FILES.steps, `step-${step}.json`);
}

export function kfoldDir(runDir: string, folds: number): string {
  return join(runDir, `kfold-${folds}`);
}

export function foldRunDir(runDir: string, folds: number, index: number): string {
  return join(kfoldDir(runDir, folds), `fold-${index}`);
}

export function kfoldSelectionPath(runDir: string, folds: number): string {
  return join(kfoldDir(runDir, folds), 'selection.json');
}

export interface CurvePoint {
  step: number;
  reward: number;
}

/** The greedy validation rewards a run folder's metrics.jsonl recorded, in step order. */
export async function readValidationCurve(runDir: string): Promise<CurvePoint[]> {
  const file = join(runDir, RUN_FILES.metrics);
  const text = await fsp.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read the training curve (${err.code ?? err.message})`, file);
  });
  const out: CurvePoint[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let o: { step?: unknown; validationReward?: unknown };
    try {
      o = JSON.parse(line) as typeof o;
    } catch {
      continue; // a torn last line
    }
    if (typeof o.step === 'number' && typeof o.validationReward === 'number') out.push({ step: o.step, reward: o.validationReward });
  }
  return out.sort((a, b) => a.step - b.step);
}

export interface KfoldSelection {
  format: 're2llm-kfold-selection';
  folds: number;
  /** Validation points every fold recorded. */
  steps: number[];
  /** Held-out greedy reward per fold (rows) at each of `steps`. */
  perFold: number[][];
  /** Mean over folds at each of `steps`. */
  mean: number[];
  chosenStep: number;
  chosenMean: number;
}

/** The step with the best held-out reward averaged over folds (the earliest on a tie), over the steps every fold recorded. */
export function pickKfoldStep(curves: readonly CurvePoint[][]): KfoldSelection {
  if (curves.length < 2) throw new RangeError(`kfold: ${curves.length} fold curve(s), need at least 2`);
  const maps = curves.map((c) => new Map(c.map((p) => [p.step, p.reward])));
  const steps = [...maps[0]!.keys()].filter((s) => maps.every((m) => m.has(s))).sort((a, b) => a - b);
  if (steps.length === 0) throw new RangeError('kfold: the fold runs share no validation point');
  const perFold = maps.map((m) => steps.map((s) => m.get(s)!));
  const mean = steps.map((_, j) => perFold.reduce((t, row) => t + row[j]!, 0) / perFold.length);
  let best = 0;
  for (let j = 1; j < steps.length; j++) if (mean[j]! > mean[best]!) best = j;
  return { format: 're2llm-kfold-selection', folds: curves.length, steps, perFold, mean, chosenStep: steps[best]!, chosenMean: mean[best]! };
}

export async function writeKfoldSelection(runDir: string, sel: KfoldSelection): Promise<void> {
  await writeJsonAtomic(kfoldSelectionPath(runDir, sel.folds), sel);
}

export async function readKfoldSelection(runDir: string, folds: number): Promise<KfoldSelection | undefined> {
  const file = kfoldSelectionPath(runDir, folds);
  if (!(await exists(file))) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(await fsp.readFile(file, 'utf8'));
  } catch (err) {
    throw new InputError(`invalid JSON: ${(err as Error).message}`, file);
  }
  const s = v as Partial<KfoldSelection> | null;
  if (!s || s.format !== 're2llm-kfold-selection' || typeof s.chosenStep !== 'number' || s.folds !== folds) throw new InputError(`not a ${folds}-fold selection`, file, undefined, 'format');
  return s as KfoldSelection;
}
