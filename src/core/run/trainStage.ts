/**
 * Stage 3: train the retrieval agent in whatever process the injected trainer chooses, in the
 * folder `train-<key>` named by everything that shapes the reward and the policy. A finished run
 * there (isFinishedTraining) is reused; one with a checkpoint is resumed; one that stopped before
 * its first checkpoint is started again.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { SessionDataset } from '../data/types';
import { kbFingerprint, type HintKb } from '../kb';
import { exists } from '../util/fs';
import { isFinishedTraining, readTrainSummary, runFile, writeTrainSummary } from '../agent/runFolder';
import type { TrainSummary } from '../../protocol/worker';
import { RUN_FILES } from '../../protocol/runFolder';
import { trainKey } from './stageKeys';
import { withStageLock } from './stageLock';
import { keyInputs, lockOptions, skipped, timed, type StageContext, type Trainer } from './stage';

export interface TrainInput {
  dataset: SessionDataset;
  kb: HintKb;
  kbPath: string;
  trainer: Trainer;
}

export interface TrainResult {
  runDir: string;
  /** The train key (part of the evaluation key). */
  key: string;
  summary: TrainSummary;
  skipped: boolean;
}

export async function trainStage(ctx: StageContext, input: TrainInput): Promise<TrainResult> {
  const { config, baseDir } = ctx.resolved;
  const key = trainKey(keyInputs(ctx, input.dataset.hash), kbFingerprint(input.kb));
  const runDir = join(config.output.runsDir, `train-${key}`);
  return withStageLock(runDir, lockOptions(ctx, 'train'), async () => {
    if (await isFinishedTraining(runDir)) {
      const done = await readTrainSummary(runDir);
      if (done && !(done.failures && done.failures > 0)) {
        skipped(ctx, 'train', `${runDir} already trained`);
        return { runDir, key, summary: done, skipped: true };
      }
      if (done) {
        // Trained on reward 0 for answers that failed: start again from scratch (resuming would
        // keep updates made on those zeros); the cache answers every pair that did arrive.
        ctx.logger.log('info', `train: ${runDir} trained with ${done.failures} failed answer(s); training it again from the start`);
        await clearRunFolder(runDir);
      }
    }
    const resume = await exists(runFile(runDir, 'last'));
    const trained = await timed(ctx, 'train', `${config.agent.steps} steps, preset ${config.agent.preset}${resume ? ' (resuming)' : ''}`, () =>
      input.trainer(config, { runDir, resume, kbPath: input.kbPath, baseDir, packageVersion: ctx.packageVersion },
        (progress) => ctx.onEvent?.({ stage: 'train', kind: 'progress', progress })),
    );
    if (trained.cancelled) {
      const next = (await exists(runFile(runDir, 'last'))) ? `resume from ${runFile(runDir, 'last')}` : 'start it again';
      throw new Error(`training cancelled; rerun to ${next}`);
    }
    // trainAgent writes it too; an injected trainer that does not still leaves the folder finished.
    await writeTrainSummary(runDir, trained);
    return { runDir, key, summary: trained, skipped: false };
  });
}

/** Empties a keyed training folder (its lock, held by this process, stays). */
async function clearRunFolder(runDir: string): Promise<void> {
  for (const name of await fsp.readdir(runDir)) {
    if (name === RUN_FILES.lock) continue;
    await fsp.rm(join(runDir, name), { recursive: true, force: true });
  }
}
