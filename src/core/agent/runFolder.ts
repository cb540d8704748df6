/**
 * Readers of a training run folder (the contract is src/protocol/runFolder.ts): one per file, and
 * the one definition of "finished". They live in core/agent, beside the writer, so that both the
 * evaluator (core/evaluate) and the pipeline (core/run) can import them without a cycle.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Re2llmConfig } from '../config/defaults';
import { InputError } from '../util/errors';
import { exists, writeJsonAtomic } from '../util/fs';
import { readKfoldSelection, kfoldSelectionPath, stepCheckpointPath, type CheckpointSelection } from './selection';
import { checkTrainManifest, isTrainSummary, RUN_FILES, type RunFileName, type TrainManifest, type TrainSummary } from '../../protocol/runFolder';

/** The absolute path of one run file. */
export type { CheckpointSelection } from './selection';

export function runFile(runDir: string, name: RunFileName): string {
  return join(runDir, RUN_FILES[name]);
}

async function readJsonObject(file: string, missing: string): Promise<unknown> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`${missing} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, file);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InputError(`invalid JSON: ${(err as Error).message}`, file);
  }
}

/** Checks a parsed manifest, throwing an InputError at `file` (and the field) when it is not one. */
export function parseTrainManifest(value: unknown, file: string): TrainManifest {
  const r = checkTrainManifest(value);
  if ('problem' in r) throw new InputError(r.problem.message, file, undefined, r.problem.field);
  return r.manifest;
}

export async function readTrainManifest(runDir: string): Promise<TrainManifest> {
  const file = runFile(runDir, 'manifest');
  return parseTrainManifest(await readJsonObject(file, `not a training run folder: cannot read ${RUN_FILES.manifest}`), file);
}

/** The run's recorded configuration (what a resume continues with). */
export async function readRunConfig(runDir: string): Promise<Re2llmConfig> {
  const file = runFile(runDir, 'config');
  const v = await readJsonObject(file, `not a training run folder: cannot read ${RUN_FILES.config}`);
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new InputError('must be a JSON object', file);
  return v as Re2llmConfig;
}

/** `summary.json`, or undefined when the run has none (still training, cancelled, killed, or older). */
export async function readTrainSummary(runDir: string): Promise<TrainSummary | undefined> {
  const file = runFile(runDir, 'summary');
  if (!(await exists(file))) return undefined;
  const v = await readJsonObject(file, `cannot read ${RUN_FILES.summary}`);
  if (!isTrainSummary(v)) throw new InputError('not a training summary', file);
  return v;
}

export async function writeTrainSummary(runDir: string, summary: TrainSummary): Promise<void> {
  await writeJsonAtomic(runFile(runDir, 'summary'), summary);
}

/**
 * Which checkpoint an evaluation loads (`agent.selection`, see ./selection.ts): `last` (the end
 * of training) or `best-validation` (the best greedy validation reward seen), either falling back
 * to the other when its file is missing (a run cancelled early has no best); or `kfold`, the
 * step-N checkpoint its K-fold selection picked, which must exist (an InputError says how to make
 * it). Undefined when the run has no checkpoint at all.
 */
export async function checkpointToLoad(runDir: string, selection: CheckpointSelection = 'best-validation', kfolds = 5): Promise<string | undefined> {
  if (selection === 'kfold') {
    const sel = await readKfoldSelection(runDir, kfolds);
    if (!sel) throw new InputError(`agent.selection is kfold, but no ${kfolds}-fold selection was made for this run (${kfoldSelectionPath(runDir, kfolds)}); run the pipeline (re2llm run, or Run in VS Code), whose train stage trains the fold agents`, runDir);
    const file = stepCheckpointPath(runDir, sel.chosenStep);
    if (!(await exists(file))) throw new InputError(`the ${kfolds}-fold selection picked step ${sel.chosenStep}, but the run kept no checkpoint at that step`, file);
    return file;
  }
  const order = selection === 'best-validation' ? (['best', 'last'] as const) : (['last', 'best'] as const);
  for (const name of order) if (await exists(runFile(runDir, name))) return runFile(runDir, name);
  return undefined;
}

/**
 * The one definition of "training finished": a checkpoint to load, and either a summary that was
 * not cancelled or, for runs from before every front end wrote the summary, the exported
 * agent.onnx (written only when training ran to its end). A malformed summary is not finished.
 */
export async function isFinishedTraining(runDir: string): Promise<boolean> {
  if (!(await checkpointToLoad(runDir))) return false;
  let summary: TrainSummary | undefined;
  try {
    summary = await readTrainSummary(runDir);
  } catch {
    return false;
  }
  if (summary) return !summary.cancelled;
  return exists(runFile(runDir, 'onnx'));
}

/** A training run folder at all (finished or not): any of its run files is there. */
export async function isTrainingRunFolder(runDir: string): Promise<boolean> {
  for (const name of ['manifest', 'onnx', 'checkpoints', 'metrics'] as const) if (await exists(runFile(runDir, name))) return true;
  return false;
}

/**
 * Whether a folder holds a run that can be continued (a checkpoint) or has already produced an
 * agent: such a run is never overwritten. A folder with only config, manifest and metrics (a
 * worker killed, or an LLM error, before the first checkpoint) holds nothing to keep.
 */
export async function holdsTrainedState(runDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of ['last', 'best', 'onnx', 'summary'] as const) if (await exists(runFile(runDir, name))) found.push(RUN_FILES[name]);
  return found;
}
