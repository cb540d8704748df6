/**
 * Stage 3: train the retrieval agent in whatever process the injected trainer chooses, in the
 * folder `train-<key>` named by everything that shapes the reward and the policy. A finished run
 * there (isFinishedTraining) is reused; one with a checkpoint is resumed; one that stopped before
 * its first checkpoint is started again. With `agent.selection` kfold the K fold agents are then
 * trained inside that folder (`kfold-K/`, see src/core/agent/selection.ts) and the pick written,
 * once: a rerun, or another selection, trains nothing.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { SessionDataset } from '../data/types';
import { kbFingerprint, type HintKb } from '../kb';
import { exists } from '../util/fs';
import { isFinishedTraining, readTrainSummary, runFile, writeTrainSummary } from '../agent/runFolder';
import type { TrainSummary } from '../../protocol/worker';
import type { PaidAnswer } from '../llm/paidAhead';
import { RUN_FILES } from '../../protocol/runFolder';
import { foldRunDir, pickKfoldStep, readKfoldSelection, readValidationCurve, writeKfoldSelection } from '../agent/selection';
import { trainKey } from './stageKeys';
import { withStageLock } from './stageLock';
import { keyInputs, lockOptions, skipped, timed, type StageContext, type Trainer } from './stage';

export interface TrainInput {
  dataset: SessionDataset;
  kb: HintKb;
  kbPath: string;
  trainer: Trainer;
  /** Reward-table answers paid for before the stage (fillPendingPlan): the worker charges each it reads. */
  paidAhead?: PaidAnswer[];
}

export interface TrainResult {
  runDir: string;
  /** The train key (part of the evaluation key). */
  key: string;
  summary: TrainSummary;
  skipped: boolean;
}

/**
 * Whether trainStage would reuse its keyed folder without training anything (a finished run with
 * no failed answers, and its K-fold selection written where one is asked for): the reward table
 * is then not worth paying for ahead of it (unless best-fixed-hint reads it).
 */
export async function trainingReused(ctx: StageContext, input: Pick<TrainInput, 'dataset' | 'kb'>): Promise<boolean> {
  const { config } = ctx.resolved;
  const { runDir } = trainFolder(ctx, input);
  const done = await finishedSummary(runDir);
  if (!done || trainedOnFailures(done)) return false;
  return config.agent.selection !== 'kfold' || !!(await readKfoldSelection(runDir, config.agent.kfolds));
}

/** The stage's key and keyed folder. */
function trainFolder(ctx: StageContext, input: Pick<TrainInput, 'dataset' | 'kb'>): { key: string; runDir: string } {
  const key = trainKey(keyInputs(ctx, input.dataset.hash), kbFingerprint(input.kb));
  return { key, runDir: join(ctx.resolved.config.output.runsDir, `train-${key}`) };
}

/** A finished run's summary (undefined while the run has not finished). */
async function finishedSummary(runDir: string): Promise<TrainSummary | undefined> {
  return (await isFinishedTraining(runDir)) ? readTrainSummary(runDir) : undefined;
}

/** Trained on reward 0 for answers that failed: not reusable. */
const trainedOnFailures = (s: TrainSummary): boolean => !!s.failures && s.failures > 0;

export async function trainStage(ctx: StageContext, input: TrainInput): Promise<TrainResult> {
  const { config, baseDir } = ctx.resolved;
  const { key, runDir } = trainFolder(ctx, input);
  return withStageLock(runDir, lockOptions(ctx, 'train'), async () => {
    const done = await finishedSummary(runDir);
    if (done && !trainedOnFailures(done)) {
      skipped(ctx, 'train', `${runDir} already trained`);
      await ensureKfoldSelection(ctx, input, runDir);
      return { runDir, key, summary: done, skipped: true };
    }
    if (done) {
      // Trained on reward 0 for answers that failed: start again from scratch (resuming would
      // keep updates made on those zeros); the cache answers every pair that did arrive.
      ctx.logger.log('info', `train: ${runDir} trained with ${done.failures} failed answer(s); training it again from the start`);
      await clearRunFolder(runDir);
    }
    const resume = await exists(runFile(runDir, 'last'));
    const trained = await timed(ctx, 'train', `${config.agent.steps} steps, preset ${config.agent.preset}${resume ? ' (resuming)' : ''}`, () =>
      input.trainer(config, { runDir, resume, kbPath: input.kbPath, baseDir, packageVersion: ctx.packageVersion, ...(input.paidAhead?.length ? { paidAhead: input.paidAhead } : {}) },
        (progress) => ctx.onEvent?.({ stage: 'train', kind: 'progress', progress })),
    );
    if (trained.cancelled) {
      const next = (await exists(runFile(runDir, 'last'))) ? `resume from ${runFile(runDir, 'last')}` : 'start it again';
      throw new Error(`training cancelled; rerun to ${next}`);
    }
    // trainAgent writes it too; an injected trainer that does not still leaves the folder finished.
    await writeTrainSummary(runDir, trained);
    await ensureKfoldSelection(ctx, input, runDir);
    return { runDir, key, summary: trained, skipped: false };
  });
}

/**
 * With `agent.selection` kfold: trains (or resumes) each fold agent that is not finished, then
 * picks the step from their held-out curves and writes the selection. Nothing when the selection
 * exists already or is not kfold.
 */
async function ensureKfoldSelection(ctx: StageContext, input: TrainInput, runDir: string): Promise<void> {
  const { config, baseDir } = ctx.resolved;
  const folds = config.agent.kfolds;
  if (config.agent.selection !== 'kfold' || (await readKfoldSelection(runDir, folds))) return;
  const curves = [];
  for (let index = 0; index < folds; index++) {
    const foldDir = foldRunDir(runDir, folds, index);
    if (!(await isFinishedTraining(foldDir))) {
      const resume = await exists(runFile(foldDir, 'last'));
      const trained = await timed(ctx, 'train', `${folds}-fold selection: fold ${index + 1} of ${folds}${resume ? ' (resuming)' : ''}`, () =>
        input.trainer(config, { runDir: foldDir, resume, kbPath: input.kbPath, baseDir, packageVersion: ctx.packageVersion, fold: { index, of: folds } },
          (progress) => ctx.onEvent?.({ stage: 'train', kind: 'progress', progress })),
      );
      if (trained.cancelled) throw new Error(`K-fold selection cancelled at fold ${index + 1}; rerun to resume it`);
      await writeTrainSummary(foldDir, trained);
    }
    curves.push(await readValidationCurve(foldDir));
  }
  const sel = pickKfoldStep(curves);
  await writeKfoldSelection(runDir, sel);
  ctx.logger.log('info', `train: ${folds}-fold selection picks step ${sel.chosenStep} (mean held-out reward ${sel.chosenMean.toFixed(4)} over ${sel.steps.length} validation points)`);
}

/** Empties a keyed training folder (its lock, held by this process, stays). */
async function clearRunFolder(runDir: string): Promise<void> {
  for (const name of await fsp.readdir(runDir)) {
    if (name === RUN_FILES.lock) continue;
    await fsp.rm(join(runDir, name), { recursive: true, force: true });
  }
}
