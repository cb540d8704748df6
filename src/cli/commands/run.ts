/**
 * `re2llm run --config C`: the whole pipeline (import -> reflect -> train -> evaluate -> report);
 * each stage is skipped when its output for the same inputs exists, so a rerun is instant.
 */
import type { Command } from 'commander';
import { ioFor, resolveForLlm, withConfigOptions } from './shared';
import { runExperiment, type Stage } from '../../core/run/runExperiment';
import { STAGES } from '../../core/run/stage';
import { workerTrainer } from '../../worker/trainer';
import { experimentEventPrinter, formatExperimentSummary } from '../experimentOutput';
import { version } from '../../../package.json';
import { runSeedsFromCli } from './study';
import { formatEstimate } from '../../core/plan';
import type { Budget } from '../../core/run/stagePlans';
import { budgetFlags, fillerFor } from './budget';
import { runController } from '../../core/util/abort';


export function register(program: Command): void {
  withConfigOptions(
    program
      .command('run')
      .description('run the whole pipeline: import -> reflect -> train -> evaluate -> report (stages whose inputs are unchanged are skipped)')
      .option('--until <stage>', `stop after this stage (${STAGES.join(', ')})`)
      .option('--steps <n>', 'training steps (agent.steps)')
      .option('--seeds <list>', 'repeat the run over seeds ("1..5" or "1,2,7") and print mean ± sd (a one-axis study)')
      .option('--vary <paths>', 'with --seeds: which seeds take each value (agent.seed, dataset.seed, evaluation.seed; comma-separated)', 'agent.seed')
      .option('--max-calls <n>', 'refuse a stage whose plan would take the run past this many LLM calls (cached answers are free)')
      .option('--max-cost <amount>', 'refuse a stage whose plan would take the run past this estimated cost (llm.*CostPerMTok)'),
  ).action(async (flags: { config?: string; set?: string[]; until?: string; steps?: string; seeds?: string; vary: string; maxCalls?: string; maxCost?: string }, cmd: Command) => {
    const io = ioFor(cmd);
    if (flags.until && !STAGES.includes(flags.until as Stage)) throw new Error(`--until must be one of ${STAGES.join(', ')}, got "${flags.until}"`);
    const steps = flags.steps !== undefined ? Number(flags.steps) : undefined;
    if (steps !== undefined && !(Number.isInteger(steps) && steps > 0)) throw new Error(`--steps must be a positive integer, got "${flags.steps}"`);
    const resolved = resolveForLlm(cmd, flags, { 'agent.steps': steps });
    if (flags.seeds !== undefined) {
      if (flags.until) throw new Error('--seeds runs every stage; leave out --until');
      return runSeedsFromCli(io, resolved, flags.seeds, flags.vary);
    }
    const summary = await runPipeline(io, resolved, flags.until as Stage | undefined, budgetFlags(flags));
    io.result(summary, () => formatExperimentSummary(summary));
  });
}

/** Shared by `run` and `demo`: SIGINT cancels (training checkpoints first, a rerun resumes). */
export async function runPipeline(io: ReturnType<typeof ioFor>, resolved: Parameters<typeof runExperiment>[0]['resolved'], until?: Stage, budget: Budget = {}) {
  const controller = runController();
  const onSigint = (): void => {
    io.logger.log('warn', 'cancelling: the current stage keeps its checkpoint; run the same command again to resume');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  const printer = experimentEventPrinter(io);
  try {
    return await runExperiment({
      resolved, packageVersion: version, logger: io.logger, signal: controller.signal,
      trainer: workerTrainer({ logger: io.logger, signal: controller.signal }),
      onEvent: printer.onEvent,
      budget,
      onEstimate: (e, notes) => io.logger.log('info', `estimate ${formatEstimate(e)}${notes.length ? ` (${notes.join('; ')})` : ''}`),
      ...(await fillerFor(io, resolved)),
      ...(until ? { until } : {}),
    });
  } finally {
    printer.stop();
    process.removeListener('SIGINT', onSigint);
  }
}
