/**
 * `re2llm train [--config C] [--resume RUN] [--steps N] [--bandit FILE] [--json]`: trains the
 * retrieval agent in a worker process (src/worker/client.ts) and prints its progress. Ctrl-C
 * cancels gracefully: the worker writes its last checkpoint, and `--resume RUN` continues it.
 * A resume takes the configuration, base folder, KB path and bandit file the run recorded; a
 * fresh run refuses an `--out` folder that is not empty (an old best.json there would outlive it).
 * The worker writes the same run folder as every other front end (src/protocol/runFolder.ts),
 * summary.json included.
 */
import { llmHealthText, llmSummaryText, trainCallsText, trainProgressCalls } from '../../core/llm/progressText';
import type { Command } from 'commander';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { ioFor, resolveForLlm, resolveFromCli, withConfigOptions } from './shared';
import { resumeEndpoint } from '../../core/llm/redactUrl';
import { startTrainingWorker } from '../../worker/client';
import type { Re2llmConfig } from '../../core/config/defaults';
import { InputError } from '../../core/util/errors';
import { version } from '../../../package.json';
import { timestampedRunName } from '../../core/run/paths';
import { readRunConfig, readTrainManifest } from '../../core/agent/runFolder';
import { acquireStageLock } from '../../core/run/stageLock';
import { budgetFlags, estimateAndCheck, fillerFor } from './budget';
import { pendingCount } from '../../core/plan';
import type { PaidAnswer } from '../../core/llm/paidAhead';

interface TrainFlags {
  config?: string;
  set?: string[];
  resume?: string;
  steps?: string;
  bandit?: string;
  kb?: string;
  out?: string;
  maxCalls?: string;
  maxCost?: string;
}

/** What a resumed run takes from its folder (config.json and manifest.json). */
export interface ResumeInputs {
  config: Re2llmConfig;
  /** The manifest's baseDir, else the current folder (runs from before it was recorded). */
  baseDir: string;
  /** The KB an LLM-reward run trained with. */
  kbPath?: string;
  /** The file a synthetic-bandit run trained on. */
  bandit?: string;
}

export async function resumeInputs(runDir: string, cwd: string = process.cwd()): Promise<ResumeInputs> {
  // A resumed run keeps the configuration it started with.
  const config = await readRunConfig(runDir);
  const m = await readTrainManifest(runDir);
  return {
    config, baseDir: m.baseDir ?? cwd,
    ...(m.kbPath ? { kbPath: m.kbPath } : {}),
    ...(m.problem === 'synthetic' && m.source ? { bandit: m.source } : {}),
  };
}

/** The endpoint the current config would use, or undefined when it does not resolve (a resume does not need it). */
function currentBaseUrl(flags: TrainFlags): string | undefined {
  try {
    return resolveFromCli(flags).config.llm.baseUrl;
  } catch {
    return undefined;
  }
}

/** Refuses an existing, non-empty folder as a fresh run's destination. */
export function assertEmptyRunDir(runDir: string): void {
  if (!existsSync(runDir)) return;
  if (!statSync(runDir).isDirectory()) throw new InputError('exists and is not a folder', runDir);
  const entries = readdirSync(runDir);
  if (entries.length > 0) {
    const shown = entries.slice(0, 4).join(', ') + (entries.length > 4 ? `, ... (${entries.length} entries)` : '');
    throw new InputError(`the run folder is not empty (${shown}); continue that run with --resume, or choose a new folder`, runDir);
  }
}

export function register(program: Command): void {
  withConfigOptions(
    program
      .command('train')
      .description('train the retrieval agent (PPO) in a worker process; writes a run folder with checkpoints, metrics.jsonl and agent.onnx')
      .option('--resume <run>', 'continue a cancelled or killed run from its last checkpoint')
      .option('--steps <n>', 'environment steps (default: agent.steps)')
      .option('--bandit <file>', 'train on a synthetic-bandit file instead of the LLM reward (no dataset, KB or LLM needed)')
      .option('--kb <file>', 'hint KB (default: output.kbPath, else re2llm/<dataset>.hints.json beside the config)')
      .option('-o, --out <dir>', 'run folder (default: <output.runsDir>/train-<time>)')
      .option('--max-calls <n>', 'refuse to start when the reward table needs more LLM calls than this (cached answers are free)')
      .option('--max-cost <amount>', 'refuse to start when the reward table\'s estimated cost is more than this (llm.*CostPerMTok)'),
  ).action(async (flags: TrainFlags, cmd: Command) => {
    const io = ioFor(cmd);
    const steps = flags.steps !== undefined ? Number(flags.steps) : undefined;
    if (steps !== undefined && !(Number.isInteger(steps) && steps > 0)) throw new Error(`--steps must be a positive integer, got "${flags.steps}"`);
    let config: Re2llmConfig;
    let baseDir: string;
    let runDir: string;
    let recorded: ResumeInputs | undefined;
    const resume = flags.resume !== undefined;
    if (resume) {
      if (flags.out) throw new Error('--out and --resume cannot be combined: a resumed run continues in its own folder');
      runDir = resolvePath(flags.resume!);
      recorded = await resumeInputs(runDir);
      // The recorded baseUrl lost any key in its query; the current config / environment holds it.
      const ep = resumeEndpoint(recorded.config.llm.baseUrl, [currentBaseUrl(flags), process.env.OPENAI_BASE_URL]);
      config = ep.restored ? { ...recorded.config, llm: { ...recorded.config.llm, baseUrl: ep.baseUrl } } : recorded.config;
      if (ep.restored) io.logger.log('info', `resume: the endpoint's credentials come from the current configuration (the run folder records ${recorded.config.llm.baseUrl} without them)`);
      baseDir = recorded.baseDir;
    } else {
      const r = resolveForLlm(cmd, flags, { 'agent.steps': steps });
      config = r.config;
      baseDir = r.baseDir;
      runDir = flags.out ? resolvePath(flags.out) : resolvePath(baseDir, config.output.runsDir, timestampedRunName('train'));
      assertEmptyRunDir(runDir);
    }
    // Explicit flags win; a resume otherwise reuses what the run recorded (the worker checks the
    // dataset hash, KB fingerprint and hints against the manifest and refuses on a difference).
    const bandit = flags.bandit ? resolvePath(flags.bandit) : recorded?.bandit;
    const kbPath = flags.kb ? resolvePath(flags.kb) : recorded?.kbPath;
    // The reward table's estimate and the caps, before the worker spends anything.
    let paidAhead: PaidAnswer[] = [];
    if (!bandit) {
      const plan = await estimateAndCheck(io, { config, baseDir, sources: {} }, 'train', budgetFlags(flags), kbPath ? { kbPath } : {});
      // Online, the worker asks the table as PPO needs it (with its own progress, and resumable
      // from its run folder); `run` asks the table ahead when best-fixed-hint reads it anyway.
      const filler = await fillerFor(io, { config, baseDir, sources: {} });
      // The lines a batch paid for go to the worker, which charges each one it reads to this run.
      if (filler.fill && pendingCount(plan)) paidAhead = (await filler.fill(plan)) ?? [];
    }
    // A second `train --resume` or a `run` on this folder waits briefly, then says who holds it.
    const lock = await acquireStageLock(runDir, { stage: 'train', logger: io.logger });
    const handle = startTrainingWorker({
      config,
      options: {
        runDir, resume, packageVersion: version, baseDir,
        ...(steps !== undefined ? { steps } : {}),
        ...(bandit ? { bandit } : {}),
        ...(kbPath ? { kbPath } : {}),
        ...(paidAhead.length ? { paidAhead } : {}),
      },
      logger: io.logger,
    });
    io.logger.log('info', `training in ${runDir} (worker pid ${handle.pid ?? '?'}); Ctrl-C cancels and keeps the last checkpoint`);
    let bar: ReturnType<typeof io.progress> | undefined;
    let lastVal: number | null = null;
    handle.on('progress', (p) => {
      bar ??= io.progress('train', p.totalSteps);
      if (p.validationReward !== null) lastVal = p.validationReward;
      const calls = p.callBound > 0 ? `, LLM calls ${trainProgressCalls(p)}/${p.callBound} bound, reward cache hits ${p.cacheHits}${llmHealthText(p)}` : '';
      bar.update(p.step, p.totalSteps, `reward ${p.meanReward.toFixed(4)}, val ${lastVal === null ? '-' : lastVal.toFixed(4)}, entropy ${p.entropy.toFixed(3)}, ${p.stepsPerSecond.toFixed(0)} steps/s${calls}`);
    });
    handle.on('log', (level, text) => io.logger.log(level, text));
    const onSigint = (): void => {
      io.logger.log('info', 'cancelling: waiting for the worker to checkpoint...');
      handle.cancel();
    };
    process.once('SIGINT', onSigint);
    try {
      const s = await handle.result;
      bar?.stop();
      io.result(s, () => [
        `${s.cancelled ? 'cancelled' : 'trained'}: ${s.steps} steps in ${s.updates} updates (${s.seconds.toFixed(1)}s)`,
        `best greedy validation reward ${s.bestValidationReward === null ? '-' : s.bestValidationReward.toFixed(4)}${s.bestStep !== null ? ` at step ${s.bestStep}` : ''}`,
        ...(s.callBound > 0 ? [`LLM calls ${trainCallsText(s)} (upper bound |sessions| x |actions| = ${s.callBound}); reward cache hits ${s.cacheHits}${llmSummaryText(s)}`] : []),
        `run folder ${s.runDir}${s.onnxPath ? `; actor exported to ${s.onnxPath}` : ''}`,
        ...(s.cancelled ? [`continue with: re2llm train --resume ${s.runDir}`] : []),
      ].join('\n'));
    } finally {
      bar?.stop();
      process.removeListener('SIGINT', onSigint);
      await lock.release();
    }
  });
}
