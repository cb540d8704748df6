/**
 * The study runner's only contact with the pipeline: one cell is one `runExperiment` call, whose
 * stage keys skip whatever already exists for the same inputs. Kept to this file so the pipeline
 * can change shape (stage functions) by rewiring one function.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve as resolvePath, sep } from 'node:path';
import type { Logger } from '../util/log';
import { runExperiment, type ExperimentOptions } from '../run/runExperiment';

/** A cell runs with what one `runExperiment` call takes (minus the stop stage: a cell runs all). */
export type CellRunInput = Pick<ExperimentOptions, 'resolved' | 'trainer' | 'packageVersion' | 'logger' | 'signal' | 'apiKey' | 'onEvent'>;

export interface CellRunOutput {
  evalDir: string;
  reportPath: string | null;
  /** LLM calls made by this cell (this process's client plus the training worker's). */
  calls: number;
  seconds: number;
}

export type CellRunner = (input: CellRunInput) => Promise<CellRunOutput>;

/**
 * A training folder that a kill left before its first checkpoint: runExperiment starts it fresh
 * (nothing to resume) and the trainer refuses a non-empty folder. Inside the study's own cell
 * folder such a folder holds nothing worth keeping, so it is removed and the cell run again.
 */
async function clearUnstartedTraining(err: unknown, runsDir: string, logger: Logger): Promise<boolean> {
  const m = /^(.+?): already holds a training run/.exec((err as Error)?.message ?? '');
  const dir = m?.[1];
  if (!dir || !resolvePath(dir).startsWith(resolvePath(runsDir) + sep)) return false;
  if (existsSync(join(dir, 'checkpoints', 'last.json')) || existsSync(join(dir, 'summary.json'))) return false;
  logger.log('warn', `${dir}: a training run stopped before its first checkpoint; starting it again`);
  await rm(dir, { recursive: true, force: true });
  return true;
}

export const runCellExperiment: CellRunner = async (input) => {
  try {
    return await runOnce(input);
  } catch (err) {
    if (!(await clearUnstartedTraining(err, input.resolved.config.output.runsDir, input.logger))) throw err;
    return runOnce(input);
  }
};

async function runOnce(input: CellRunInput): Promise<CellRunOutput> {
  const summary = await runExperiment({
    resolved: input.resolved, trainer: input.trainer, packageVersion: input.packageVersion, logger: input.logger,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.apiKey ? { apiKey: input.apiKey } : {}),
    ...(input.onEvent ? { onEvent: input.onEvent } : {}),
  });
  if (!summary.evaluation) throw new Error('the cell produced no evaluation (is the KB empty?)');
  const trainCalls = summary.training && !summary.training.skipped ? summary.training.calls : 0;
  return { evalDir: summary.evaluation.runDir, reportPath: summary.reportPath, calls: summary.usage.calls + trainCalls, seconds: summary.seconds };
}
