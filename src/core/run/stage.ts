/**
 * What every stage function of the pipeline takes and reports (src/core/run/*Stage.ts): the
 * resolved configuration plus explicit dependencies (logger, cancel signal, event sink), never
 * anything global, so each stage can be called alone (a study runner calls them per grid cell)
 * and tested alone. `runExperiment` composes them.
 */
import type { ResolvedConfig } from '../config/resolve';
import type { Re2llmConfig } from '../config/defaults';
import type { Logger } from '../util/log';
import type { ReflectionProgress } from '../reflect/types';
import type { EvaluationProgress } from '../evaluate/runEvaluation';
import type { TrainOptions, TrainProgress, TrainSummary } from '../../protocol/worker';
import type { UsageStats } from '../llm/types';
import type { StageKeyInputs } from './stageKeys';

export type Stage = 'import' | 'reflect' | 'train' | 'evaluate' | 'report';

/** The pipeline's stages in order (`--until` stops after one). */
export const STAGES: readonly Stage[] = ['import', 'reflect', 'train', 'evaluate', 'report'];

export type ExperimentEvent =
  | { stage: Stage; kind: 'start' | 'skip'; detail: string }
  | { stage: Stage; kind: 'done'; detail: string; seconds: number }
  | { stage: 'reflect'; kind: 'progress'; progress: ReflectionProgress }
  | { stage: 'train'; kind: 'progress'; progress: TrainProgress }
  | { stage: 'evaluate'; kind: 'progress'; progress: EvaluationProgress }
  /** A stage's planned requests asked ahead online, before the stage runs (stagePlans.ts). */
  | { stage: 'reflect' | 'train' | 'evaluate'; kind: 'fill'; done: number; total: number; usage: UsageStats };

/** Runs training somewhere (the CLI and the extension fork the worker; tests may run in-process). */
export type Trainer = (config: Re2llmConfig, options: TrainOptions, onProgress: (p: TrainProgress) => void) => Promise<TrainSummary>;

export interface StageContext {
  resolved: ResolvedConfig;
  /** Stands for the code in every stage key. */
  packageVersion: string;
  logger: Logger;
  signal?: AbortSignal;
  onEvent?: (e: ExperimentEvent) => void;
  /** How long a stage waits for another process holding its folder before failing (default 2000 ms). */
  lockWaitMs?: number;
}

export function keyInputs(ctx: StageContext, datasetHash: string): StageKeyInputs {
  return { config: ctx.resolved.config, datasetHash, packageVersion: ctx.packageVersion };
}

/** Emits start, runs, emits done with the wall time. */
export async function timed<T>(ctx: StageContext, stage: Stage, detail: string, fn: () => Promise<T>): Promise<T> {
  ctx.onEvent?.({ stage, kind: 'start', detail });
  const t0 = Date.now();
  const out = await fn();
  ctx.onEvent?.({ stage, kind: 'done', detail, seconds: (Date.now() - t0) / 1000 });
  return out;
}

export function skipped(ctx: StageContext, stage: Stage, detail: string): void {
  ctx.onEvent?.({ stage, kind: 'skip', detail });
}

export function lockOptions(ctx: StageContext, stage: Stage) {
  return { stage, logger: ctx.logger, ...(ctx.lockWaitMs !== undefined ? { waitMs: ctx.lockWaitMs } : {}) };
}
