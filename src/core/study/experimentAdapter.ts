/**
 * The study runner's only contact with the pipeline: one cell is one `runExperiment` call, whose
 * stage keys skip whatever already exists for the same inputs. Kept to this file so the pipeline
 * can change shape (stage functions) by rewiring one function.
 */
import type { ResolvedConfig } from '../config/resolve';
import type { Logger } from '../util/log';
import { runExperiment, type ExperimentEvent, type Trainer } from '../run/runExperiment';

export interface CellRunInput {
  resolved: ResolvedConfig;
  trainer: Trainer;
  packageVersion: string;
  logger: Logger;
  signal?: AbortSignal;
  apiKey?: string;
  onEvent?: (e: ExperimentEvent) => void;
}

export interface CellRunOutput {
  evalDir: string;
  reportPath: string | null;
  /** LLM calls made by this cell (this process's client plus the training worker's). */
  calls: number;
  seconds: number;
}

export type CellRunner = (input: CellRunInput) => Promise<CellRunOutput>;

export const runCellExperiment: CellRunner = async (input) => {
  const summary = await runExperiment({
    resolved: input.resolved, trainer: input.trainer, packageVersion: input.packageVersion, logger: input.logger,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.apiKey ? { apiKey: input.apiKey } : {}),
    ...(input.onEvent ? { onEvent: input.onEvent } : {}),
  });
  if (!summary.evaluation) throw new Error('the cell produced no evaluation (is the KB empty?)');
  const trainCalls = summary.training && !summary.training.skipped ? summary.training.calls : 0;
  return { evalDir: summary.evaluation.runDir, reportPath: summary.reportPath, calls: summary.usage.calls + trainCalls, seconds: summary.seconds };
};
