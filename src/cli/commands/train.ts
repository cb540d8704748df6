/**
 * `re2llm train [--config C] [--resume RUN] [--steps N] [--bandit FILE] [--json]`: trains the
 * retrieval agent in a worker process (src/worker/client.ts) and prints its progress. Ctrl-C
 * cancels gracefully: the worker writes its last checkpoint, and `--resume RUN` continues it.
 */
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { ioFor, resolveFromCli, withConfigOptions } from './shared';
import { startTrainingWorker } from '../../worker/client';
import type { Re2llmConfig } from '../../core/config/defaults';
import { InputError } from '../../core/util/errors';
import { version } from '../../../package.json';

interface TrainFlags {
  config?: string;
  set?: string[];
  resume?: string;
  steps?: string;
  bandit?: string;
  kb?: string;
  out?: string;
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
      .option('-o, --out <dir>', 'run folder (default: <output.runsDir>/train-<time>)'),
  ).action(async (flags: TrainFlags, cmd: Command) => {
    const io = ioFor(cmd);
    const steps = flags.steps !== undefined ? Number(flags.steps) : undefined;
    if (steps !== undefined && !(Number.isInteger(steps) && steps > 0)) throw new Error(`--steps must be a positive integer, got "${flags.steps}"`);
    let config: Re2llmConfig;
    let baseDir: string;
    let runDir: string;
    const resume = flags.resume !== undefined;
    if (resume) {
      runDir = resolvePath(flags.resume!);
      const file = join(runDir, 'config.json');
      if (!existsSync(file)) throw new InputError('not a training run folder (no config.json)', file);
      // A resumed run keeps the configuration it started with.
      config = JSON.parse(readFileSync(file, 'utf8')) as Re2llmConfig;
      baseDir = process.cwd();
    } else {
      const r = resolveFromCli(flags, { 'agent.steps': steps });
      config = r.config;
      baseDir = r.baseDir;
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
      runDir = flags.out ? resolvePath(flags.out) : resolvePath(baseDir, config.output.runsDir, `train-${stamp}`);
    }
    let bandit = flags.bandit ? resolvePath(flags.bandit) : undefined;
    if (resume && !bandit) {
      // A synthetic-bandit run remembers its file in the manifest.
      const m = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as { problem?: string; source?: string };
      if (m.problem === 'synthetic' && typeof m.source === 'string') bandit = m.source;
    }
    const handle = startTrainingWorker({
      config,
      options: {
        runDir, resume, packageVersion: version, baseDir,
        ...(steps !== undefined ? { steps } : {}),
        ...(bandit ? { bandit } : {}),
        ...(flags.kb ? { kbPath: resolvePath(flags.kb) } : {}),
      },
      logger: io.logger,
    });
    io.logger.log('info', `training in ${runDir} (worker pid ${handle.pid ?? '?'}); Ctrl-C cancels and keeps the last checkpoint`);
    let bar: ReturnType<typeof io.progress> | undefined;
    let lastVal: number | null = null;
    handle.on('progress', (p) => {
      bar ??= io.progress('train', p.totalSteps);
      if (p.validationReward !== null) lastVal = p.validationReward;
      const calls = p.callBound > 0 ? `, LLM calls ${p.calls}/${p.callBound} bound, reward cache hits ${p.cacheHits}` : '';
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
        ...(s.callBound > 0 ? [`LLM calls ${s.calls} (upper bound |sessions| x |actions| = ${s.callBound}); reward cache hits ${s.cacheHits}`] : []),
        `run folder ${s.runDir}${s.onnxPath ? `; actor exported to ${s.onnxPath}` : ''}`,
        ...(s.cancelled ? [`continue with: re2llm train --resume ${s.runDir}`] : []),
      ].join('\n'));
    } finally {
      bar?.stop();
      process.removeListener('SIGINT', onSigint);
    }
  });
}
