/**
 * `trainAgent`: one training run of the retrieval agent, as the worker process runs it. The run
 * folder's files and their shapes are the contract in src/protocol/runFolder.ts; this is their
 * writer, src/core/agent/runFolder.ts their readers.
 *
 * `resume` continues from checkpoints/last.json; metric lines written after it are dropped. It
 * refuses when the inputs differ from those the manifest recorded (hint ids and texts, dataset
 * hash, KB fingerprint): the checkpoint's actions and states would mean something else. A fresh
 * run refuses a folder that holds a checkpoint or an agent, whose old best.json could outlive this
 * run. A folder without any checkpoint (the worker was killed, or an LLM request failed, before
 * the first one) holds nothing worth keeping: a fresh run or a resume starts it again.
 * `summary.json` is written when the run ends without a cancel, whoever started it.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Re2llmConfig } from '../config/defaults';
import type { SessionDataset } from '../data/types';
import type { LlmClient } from '../llm/types';
import { configForDisk } from '../llm/redactUrl';
import type { HintKb } from '../kb/types';
import { actionHints, kbFingerprint } from '../kb/actions';
import type { SessionEncoder } from '../encode/types';
import { encodeSessions } from '../encode/session';
import { hashJson } from '../util/hash';
import { InputError } from '../util/errors';
import { writeFileAtomic, writeJsonAtomic, exists } from '../util/fs';
import { CancelledError, systemClock, type CancelSignal, type Clock, type Logger } from '../util/log';
import type { TrainProgress, TrainSummary } from '../../protocol/worker';
import { RUN_FILES, type TrainManifest } from '../../protocol/runFolder';
import { holdsTrainedState, readTrainManifest, writeTrainSummary } from './runFolder';
import { PpoTrainer, ppoArgs, type PpoArgs } from './ppo';
import { TableBandit, type BanditFile } from './syntheticBandit';
import { LlmBandit, RewardCache } from './llmBandit';
import { toCheckpoint, fromCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint';
import { exportActorOnnx } from './onnxExport';
import { foldSplit, stepCheckpointPath } from './selection';
import type { BanditEnv } from './env';
import { roundCost } from '../llm/prices';

export type TrainProblem =
  | { kind: 'synthetic'; file: BanditFile; source: string }
  | {
    kind: 'llm'; dataset: SessionDataset; client: LlmClient; kb: HintKb; kbPath: string; encoder: SessionEncoder;
    /** Answers paid for before the run that it has read so far (the worker's PaidAhead ledger). */
    askedAhead?: () => { calls: number; cost: number };
  };

export interface TrainAgentInput {
  config: Re2llmConfig;
  problem: TrainProblem;
  runDir: string;
  resume?: boolean;
  /** Overrides config.agent.steps. */
  steps?: number;
  packageVersion: string;
  /** The config's base folder (relative paths); recorded in the manifest so a resume can reuse it. */
  baseDir?: string;
  logger: Logger;
  /** Cancels between updates and aborts LLM requests in flight. */
  signal?: AbortSignal | CancelSignal;
  clock?: Clock;
  onProgress?(p: TrainProgress): void;
  onCheckpoint?(path: string, step: number, best: boolean): void;
  /**
   * A K-fold selection run (./selection.ts): train on the other folds of the training sessions
   * and validate on fold `index` of `of`; no step checkpoints are kept (nothing selects from them).
   */
  fold?: { index: number; of: number };
}

export { RUN_FILES } from '../../protocol/runFolder';

interface Setup {
  train: BanditEnv;
  validation: BanditEnv;
  hintIds: string[];
  hintTexts: string[];
  /** The manifest fields that describe the problem (the rest is added when the run starts). */
  manifest: Omit<TrainManifest, 'hintIds' | 'hintTexts'> & { encoder: NonNullable<TrainManifest['encoder']> };
  stats(): { calls: number; cost?: number; askedAhead?: { calls: number; cost: number }; cacheHits: number; bound: number; llm?: { retries: number; failures: number; concurrencyLimit: number; lowestLimit: number; configuredLimit: number } };
}

/** The PPO arguments a config asks for (preset plus the agent.* overrides). */
export function ppoArgsFromConfig(config: Re2llmConfig, steps: number): PpoArgs {
  const a = config.agent;
  return ppoArgs(a.preset, {
    seed: a.seed, totalSteps: steps, learningRate: a.learningRate, clipCoef: a.clipCoef, entCoef: a.entCoef,
    batchSize: a.batchSize, updateEpochs: a.updateEpochs, exploration: a.exploration,
    normalizeStates: a.normalizeStates, hidden: a.hidden,
  });
}

async function setUp(input: TrainAgentInput): Promise<Setup> {
  const { problem, config } = input;
  if (problem.kind === 'synthetic') {
    const f = problem.file;
    const hintIds = ['none', ...Array.from({ length: f.arms - 1 }, (_, i) => `arm-${i + 1}`)];
    return {
      train: new TableBandit(f.dim, f.arms, f.train),
      validation: new TableBandit(f.dim, f.arms, f.validation),
      hintIds, hintTexts: hintIds.map(() => ''),
      manifest: { problem: 'synthetic', source: problem.source, datasetHash: hashJson(f), kbFingerprint: `synthetic-${f.arms}`, encoder: { kind: 'synthetic', id: 'synthetic', dim: f.dim } },
      stats: () => ({ calls: 0, cacheHits: 0, bound: 0 }),
    };
  }
  const { dataset, client, kb, encoder } = problem;
  const actions = actionHints(kb);
  if (actions.length < 2) throw new Error(`${problem.kbPath}: the KB has no enabled hints, so there is nothing to choose between`);
  const allTrain = dataset.splits.train.slice(0, config.dataset.maxTrainSessions);
  const folded = input.fold ? foldSplit(allTrain, input.fold, config.agent.seed) : undefined;
  const trainSessions = folded ? folded.train : allTrain;
  const valSessions = folded ? folded.heldOut : dataset.splits.validation;
  if (trainSessions.length === 0) throw new Error(`dataset ${dataset.name}: no training sessions`);
  if (valSessions.length === 0) throw new Error(`dataset ${dataset.name}: no validation sessions; model selection needs them (set dataset.validationFraction > 0)`);
  input.logger.log('info', `encoding ${trainSessions.length} training and ${valSessions.length} ${folded ? `held-out (fold ${input.fold!.index + 1} of ${input.fold!.of})` : 'validation'} sessions with ${encoder.id}`);
  const [trainStates, valStates] = [await encodeSessions(encoder, dataset, trainSessions), await encodeSessions(encoder, dataset, valSessions)];
  const signal = input.signal && 'addEventListener' in input.signal ? (input.signal as AbortSignal) : undefined;
  const cache = new RewardCache();
  const ctx = { dataset, client, config };
  const train = new LlmBandit(ctx, trainSessions, trainStates, actions, cache, signal);
  const validation = new LlmBandit(ctx, valSessions, valStates, actions, cache, signal);
  const desc = client.describe();
  // The lowest in-flight limit seen at any progress point, for the summary (the limit recovers).
  let lowestLimit = config.llm.concurrency;
  return {
    train, validation,
    hintIds: actions.map((h) => h.id), hintTexts: actions.map((h) => h.text),
    manifest: {
      problem: 'llm', datasetHash: dataset.hash, dataset: { name: dataset.name, hash: dataset.hash },
      kbFingerprint: kbFingerprint(kb), kbPath: problem.kbPath,
      encoder: { kind: config.encoder.kind, id: encoder.id, dim: encoder.dim },
      llm: { baseUrl: desc.baseUrl, model: desc.model, embeddingModel: desc.embeddingModel, temperature: config.llm.temperature },
      trainSessions: trainSessions.length, validationSessions: valSessions.length,
      ...(input.fold ? { fold: input.fold } : {}),
    },
    stats: () => {
      const t = train.stats();
      const u = client.usage();
      const concurrencyLimit = u.concurrencyLimit ?? config.llm.concurrency;
      lowestLimit = Math.min(lowestLimit, concurrencyLimit);
      const llm = { retries: u.retries, failures: u.failures, concurrencyLimit, lowestLimit, configuredLimit: config.llm.concurrency };
      const ahead = problem.askedAhead?.();
      return { calls: t.calls, cost: t.cost, ...(ahead?.calls ? { askedAhead: ahead } : {}), cacheHits: cache.hits, bound: (trainSessions.length + valSessions.length) * actions.length, llm };
    },
  };
}

export async function trainAgent(input: TrainAgentInput): Promise<TrainSummary> {
  const { config, runDir, logger } = input;
  const clock = input.clock ?? systemClock;
  const t0 = clock.now();
  const setup = await setUp(input);
  const paths = Object.fromEntries(Object.entries(RUN_FILES).map(([k, v]) => [k, join(runDir, v)])) as Record<keyof typeof RUN_FILES, string>;

  let args = ppoArgsFromConfig(config, input.steps ?? config.agent.steps);
  let best: { reward: number; step: number } | null = null;
  let resumedFrom: Awaited<ReturnType<typeof readCheckpoint>> | undefined;
  let resume = input.resume ?? false;
  if (resume && !(await exists(paths.last))) {
    const kept = await holdsTrainedState(runDir);
    if (kept.length > 0) throw new InputError(`cannot resume: no ${RUN_FILES.last}, yet the folder holds ${kept.join(', ')}; train into a new folder`, runDir);
    // Starting again keeps the step count the run was started with (a resume passes none).
    const recorded = input.steps === undefined ? await readTrainManifest(runDir).catch(() => undefined) : undefined;
    const total = recorded?.ppo?.totalSteps;
    if (typeof total === 'number' && Number.isInteger(total) && total > 0) args = ppoArgsFromConfig(config, total);
    logger.log('warn', `${runDir}: no checkpoint to resume from (the run stopped before its first one); starting it again`);
    resume = false;
  }
  if (resume) {
    const recorded = await readTrainManifest(runDir);
    const differ = resumeMismatches(recorded, { ...setup.manifest, hintIds: setup.hintIds, hintTexts: setup.hintTexts });
    if (differ.length > 0) throw new InputError(`cannot resume: the inputs differ from the ones this run was trained with: ${differ.join('; ')}`, paths.manifest);
    for (const f of RESUME_CHECKED) if (recorded[f] === undefined) logger.log('warn', `${paths.manifest}: no ${f} recorded, so it is not checked on resume`);
    resumedFrom = await readCheckpoint(paths.last);
    if (resumedFrom.hintIds.join('\n') !== setup.hintIds.join('\n')) throw new Error(`${paths.last}: trained with actions [${resumedFrom.hintIds.join(', ')}], the KB now gives [${setup.hintIds.join(', ')}]`);
    if (resumedFrom.stateDim !== setup.train.dim) throw new Error(`${paths.last}: trained on ${resumedFrom.stateDim}-d states, the encoder now gives ${setup.train.dim}`);
    if (input.steps !== undefined && input.steps !== resumedFrom.args.totalSteps) logger.log('warn', `--steps ${input.steps} ignored on resume: the run continues with its own ${resumedFrom.args.totalSteps} steps (its learning-rate schedule depends on them)`);
    args = resumedFrom.args;
    if (await exists(paths.best)) {
      const b = await readCheckpoint(paths.best);
      if (b.validationReward !== undefined) best = { reward: b.validationReward, step: b.step };
    }
  } else {
    const kept = await holdsTrainedState(runDir);
    if (kept.length > 0) throw new InputError(`already holds a training run (${kept.join(', ')}); resume it, or train into an empty folder`, runDir);
    if (!input.resume && (await exists(paths.manifest))) logger.log('info', `${runDir}: an earlier start stopped before its first checkpoint; starting it again`);
    await fsp.mkdir(join(runDir, RUN_FILES.steps), { recursive: true });
    await writeJsonAtomic(paths.config, configForDisk(config));
    const manifest: TrainManifest = {
      ...setup.manifest,
      ...(input.baseDir !== undefined ? { baseDir: input.baseDir } : {}),
      hintIds: setup.hintIds, hintTexts: setup.hintTexts,
      seeds: { agent: config.agent.seed, dataset: config.dataset.seed },
      preset: args.preset, ppo: { ...args }, packageVersion: input.packageVersion,
      createdAt: new Date(clock.now()).toISOString(),
      files: { ...RUN_FILES },
    };
    await writeJsonAtomic(paths.manifest, manifest);
    await writeFileAtomic(paths.metrics, '');
  }

  await fsp.mkdir(join(runDir, RUN_FILES.steps), { recursive: true }); // also for runs resumed from before step checkpoints
  const trainer = new PpoTrainer(setup.train, args, clock);
  if (resumedFrom) {
    trainer.load(fromCheckpoint(resumedFrom));
    await truncateMetrics(paths.metrics, resumedFrom.update);
    logger.log('info', `resuming ${runDir} at step ${trainer.step} (update ${trainer.update} of ${trainer.numUpdates})`);
  }
  logger.log('info', `training: preset ${args.preset}, ${args.totalSteps} steps in ${trainer.numUpdates} updates of ${args.batchSize}, ${setup.train.size} contexts, ${setup.train.arms} actions, ${setup.train.dim}-d states`);

  const meta = { encoder: setup.manifest.encoder.id, kbFingerprint: setup.manifest.kbFingerprint };
  const write = (path: string, validationReward?: number) =>
    writeCheckpoint(path, toCheckpoint(trainer.state(), setup.hintIds, { ...(validationReward !== undefined ? { validationReward } : {}), meta }));
  const save = async (path: string, isBest: boolean, validationReward?: number) => {
    await write(path, validationReward);
    input.onCheckpoint?.(path, trainer.step, isBest);
  };

  let cancelled = false;
  let wroteLast = false;
  try {
    while (!trainer.finished) {
      if (input.signal?.aborted) throw new CancelledError();
      const s = await trainer.runUpdate(input.signal);
      let validationReward: number | null = null;
      if (s.update % config.agent.validateEvery === 0 || trainer.finished) {
        validationReward = (await trainer.greedyMeanReward(setup.validation)).mean;
        if (!best || validationReward > best.reward) {
          best = { reward: validationReward, step: trainer.step };
          await save(paths.best, true, validationReward);
        }
      }
      const st = setup.stats();
      const point: TrainProgress = {
        step: s.step, totalSteps: trainer.numUpdates * args.batchSize, update: s.update,
        meanReward: s.meanReward, entropy: s.entropy, valueLoss: s.valueLoss,
        calls: st.calls, ...(st.askedAhead ? { askedAhead: st.askedAhead.calls } : {}), cacheHits: st.cacheHits, callBound: st.bound, validationReward, stepsPerSecond: s.stepsPerSecond,
        ...st.llm,
      };
      await fsp.appendFile(paths.metrics, JSON.stringify({ ...point, pgLoss: s.pgLoss, approxKl: s.approxKl, oldApproxKl: s.oldApproxKl, clipFrac: s.clipFrac, explainedVariance: s.explainedVariance, lr: s.lr, gradNorm: s.gradNorm }) + '\n');
      if (validationReward !== null) {
        // Every validation point is kept, so a selection made after training can take any of them.
        // Written before last.json and not announced (it is not what a resume continues from), so a
        // kill after last.json's checkpoint event never leaves that step without its file.
        if (!input.fold) await write(stepCheckpointPath(runDir, trainer.step), validationReward);
        await save(paths.last, false);
        wroteLast = trainer.finished;
      }
      input.onProgress?.(point);
    }
  } catch (err) {
    // After a cancel, whatever the aborted LLM requests threw is part of the cancel.
    if (!(err instanceof CancelledError) && !input.signal?.aborted) throw err;
    cancelled = true;
    logger.log('info', `cancelled at step ${trainer.step}; the last checkpoint keeps it (train --resume ${runDir})`);
  }
  if (!wroteLast) await save(paths.last, false);

  let onnxPath: string | null = null;
  const bestFile = best ? paths.best : paths.last;
  if (!cancelled) {
    const c = await readCheckpoint(bestFile);
    const exportTrainer = new PpoTrainer(setup.train, c.args, clock);
    exportTrainer.load(fromCheckpoint(c));
    await writeFileAtomic(paths.onnx, exportActorOnnx(exportTrainer.agent, { hintIds: setup.hintIds, ...meta, validationReward: c.validationReward ?? null }));
    onnxPath = paths.onnx;
  }
  const st = setup.stats();
  const summary: TrainSummary = {
    runDir, steps: trainer.step, updates: trainer.update, cancelled,
    bestValidationReward: best?.reward ?? null, bestStep: best?.step ?? null,
    bestCheckpoint: best ? paths.best : null, lastCheckpoint: paths.last, onnxPath,
    calls: st.calls, ...(st.cost !== undefined ? { cost: roundCost(st.cost) } : {}),
    ...(st.askedAhead ? { askedAhead: { calls: st.askedAhead.calls, cost: roundCost(st.askedAhead.cost) } } : {}),
    cacheHits: st.cacheHits, callBound: st.bound,
    ...(st.llm && st.llm.failures > 0 ? { failures: st.llm.failures } : {}),
    ...(st.llm && st.llm.retries > 0 ? { retries: st.llm.retries } : {}),
    ...(st.llm && st.llm.lowestLimit < st.llm.configuredLimit ? { concurrencyLimit: st.llm.lowestLimit } : {}),
    seconds: (clock.now() - t0) / 1000,
  };
  // The "finished" marker every front end relies on (isFinishedTraining), so it is written here.
  if (!cancelled) await writeTrainSummary(runDir, summary);
  return summary;
}

/** Manifest fields a resume must find unchanged, with the words an error uses for them. */
const RESUME_CHECKED = ['hintIds', 'hintTexts', 'datasetHash', 'kbFingerprint'] as const;
const RESUME_LABELS: Record<(typeof RESUME_CHECKED)[number], string> = {
  hintIds: 'hint ids', hintTexts: 'hint texts', datasetHash: 'dataset hash', kbFingerprint: 'KB fingerprint',
};

/**
 * What differs between a run's recorded manifest and the current inputs, one phrase each
 * (empty: safe to resume). A field the manifest lacks (an older run) is not compared.
 */
export function resumeMismatches(recorded: Partial<Pick<TrainManifest, (typeof RESUME_CHECKED)[number]>>, current: { hintIds: string[]; hintTexts: string[]; datasetHash?: unknown; kbFingerprint?: unknown }): string[] {
  const out: string[] = [];
  for (const f of RESUME_CHECKED) {
    const was = recorded[f];
    const now = current[f];
    if (was === undefined || JSON.stringify(was) === JSON.stringify(now)) continue;
    if (Array.isArray(was) && Array.isArray(now)) {
      const changed: string[] = [];
      for (let i = 0; i < Math.max(was.length, now.length); i++) {
        if (was[i] !== now[i]) changed.push(f === 'hintIds' ? `#${i} ${String(was[i] ?? '(none)')} -> ${String(now[i] ?? '(none)')}` : `#${i} (${current.hintIds[i] ?? String(recorded.hintIds?.[i] ?? '?')})`);
      }
      const count = was.length !== now.length ? `${was.length} recorded, ${now.length} now; ` : '';
      out.push(`${RESUME_LABELS[f]} (${count}changed at ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? `, and ${changed.length - 5} more` : ''})`);
    } else {
      out.push(`${RESUME_LABELS[f]} (recorded ${JSON.stringify(was)}, now ${JSON.stringify(now)})`);
    }
  }
  return out;
}

/** Keeps the metric lines of updates up to `update` (a killed run may have written more). */
async function truncateMetrics(file: string, update: number): Promise<void> {
  let text = '';
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    /* missing: start afresh */
  }
  const keep = text.split('\n').filter((line) => {
    if (!line.trim()) return false;
    try {
      const o = JSON.parse(line) as { update?: number };
      return typeof o.update === 'number' && o.update <= update;
    } catch {
      return false; // a torn last line
    }
  });
  await writeFileAtomic(file, keep.map((l) => l + '\n').join(''));
}
