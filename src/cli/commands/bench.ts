/**
 * `re2llm bench [--steps N] [--llm-steps N] [--dataset DIR] [--json]` (what `npm run bench`
 * runs): PPO steps per second and the synthetic-bandit reward after a fixed number of steps for
 * both presets, on the problem size (500 + 500 contexts, 768-d, 21 arms, 8 types), and
 * the LLM calls agent training uses versus the |sessions| × |actions| bound on the hetrec
 * training set with the simulated LLM.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { ioFor } from './shared';
import { generateBandit } from '../../core/agent/syntheticBandit';
import { runPpoBench, type PpoBenchResult } from '../../../bench/ppoBench';
import { runCallsBench, type CallsBenchResult } from '../../../bench/callsBench';

interface BenchFlags {
  steps: string;
  llmSteps: string;
  dataset?: string;
  seed: string;
  skipLlm?: boolean;
}

/** hetrec from the shared datasets folder, looked for beside and above the working directory. */
function findHetrec(): string | undefined {
  for (const up of ['.', '..', '../..']) {
    const p = resolvePath(up, 'shared', 'datasets', 'hetrec2011-movielens');
    if (existsSync(p)) return p;
    const q = resolvePath(up, '..', 'shared', 'datasets', 'hetrec2011-movielens');
    if (existsSync(q)) return q;
  }
  return undefined;
}

export function register(program: Command): void {
  program
    .command('bench')
    .description('benchmark: PPO steps/s and synthetic-bandit reward for both presets; LLM calls vs the |sessions| x |KB| bound with the simulated LLM')
    .option('--steps <n>', 'PPO steps per preset on the synthetic bandit', '20000')
    .option('--llm-steps <n>', 'agent training steps with the simulated LLM', '20000')
    .option('--dataset <dir>', 'dataset for the LLM-calls part (default: shared/datasets/hetrec2011-movielens)')
    .option('--seed <n>', 'seed', '1')
    .option('--skip-llm', 'only the synthetic-bandit part')
    .action(async (f: BenchFlags, cmd: Command) => {
      const io = ioFor(cmd);
      const steps = Number(f.steps);
      const seed = Number(f.seed);
      if (!Number.isInteger(steps) || steps < 64) throw new Error(`--steps must be an integer >= 64, got "${f.steps}"`);
      io.logger.log('info', 'generating the synthetic bandit: 500 + 500 contexts, 768-d, 21 arms, 8 types');
      const file = generateBandit({ types: 8, dim: 768, arms: 21, contexts: 500, seed });
      const ppo: PpoBenchResult[] = [];
      for (const preset of ['bandit', 'paper'] as const) {
        io.logger.log('info', `PPO preset ${preset}: ${steps} steps`);
        ppo.push(await runPpoBench(file, {
          preset, steps, seed,
          onPoint: (p) => io.logger.log('info', `  ${preset} step ${p.step}: ${p.stepsPerSecond.toFixed(0)} steps/s (${p.stepsPerCpuSecond.toFixed(0)}/cpu-s), ${(100 * p.ratioToOracle).toFixed(1)}% of oracle`),
        }));
      }
      let calls: CallsBenchResult | { skipped: string } = { skipped: 'not run (--skip-llm)' };
      if (!f.skipLlm) {
        const ds = f.dataset ? resolvePath(f.dataset) : findHetrec();
        const hints = ds ? join(ds, 'official', 'hints.json') : undefined;
        if (!ds || !hints || !existsSync(hints)) calls = { skipped: `no hetrec dataset with official/hints.json found (${ds ?? 'looked for shared/datasets/hetrec2011-movielens'}); pass --dataset` };
        else {
          io.logger.log('info', `LLM calls: ${f.llmSteps} training steps on ${ds} with the simulated LLM`);
          calls = await runCallsBench({ datasetPath: ds, hintsFile: hints, steps: Number(f.llmSteps), preset: 'bandit', logger: io.logger, seed });
        }
      }
      const summary = {
        ppo: ppo.map((r) => ({
          preset: r.preset, steps: r.steps,
          stepsPerSecond: r.final.stepsPerSecond, stepsPerCpuSecond: r.final.stepsPerCpuSecond,
          validationReward: r.final.validationReward, oracle: r.oracle.perType, ratioToOracle: r.final.ratioToOracle,
          firstStepAt95: r.points.find((p) => p.ratioToOracle >= 0.95)?.step ?? null,
          curve: r.points,
        })),
        llmCalls: 'skipped' in calls ? calls : { dataset: calls.dataset, steps: calls.steps, calls: calls.calls, bound: calls.bound, naiveCalls: calls.naiveCalls, cacheHits: calls.cacheHits, trainSessions: calls.trainSessions, validationSessions: calls.validationSessions, actions: calls.actions, bestValidationReward: calls.bestValidationReward, seconds: calls.seconds },
      };
      // Ratios against baselines measured in this same run (these machines are noisy; absolute
      // figures are for the record, ratios are what to compare).
      const bandit = summary.ppo.find((p) => p.preset === 'bandit');
      const paper = summary.ppo.find((p) => p.preset === 'paper');
      const ratios = {
        banditOverPaperSpeed: bandit && paper ? bandit.stepsPerCpuSecond / paper.stepsPerCpuSecond : null,
        callsOverOneCallPerStep: 'skipped' in summary.llmCalls ? null : summary.llmCalls.calls / summary.llmCalls.naiveCalls,
        callsOverBound: 'skipped' in summary.llmCalls ? null : summary.llmCalls.calls / summary.llmCalls.bound,
      };
      const x = (v: number | null, unit = 'x'): string => (v === null ? 'n/a' : `${v.toFixed(2)}${unit}`);
      io.result({ ...summary, ratios }, () => [
        'PPO on the synthetic bandit (500 + 500 contexts, 768-d, 21 arms, 8 types)',
        'preset   steps   steps/s  steps/cpu-s  val reward  % of per-type oracle  first step >= 95%',
        ...summary.ppo.map((p) => `${p.preset.padEnd(7)} ${String(p.steps).padStart(6)} ${p.stepsPerSecond.toFixed(0).padStart(8)} ${p.stepsPerCpuSecond.toFixed(0).padStart(12)} ${p.validationReward.toFixed(4).padStart(11)} ${(100 * p.ratioToOracle).toFixed(1).padStart(20)} ${String(p.firstStepAt95 ?? '-').padStart(18)}`),
        '',
        'skipped' in summary.llmCalls
          ? `LLM calls: ${summary.llmCalls.skipped}`
          : `LLM calls (${summary.llmCalls.dataset}, simulated LLM, ${summary.llmCalls.steps} steps): ${summary.llmCalls.calls} calls, bound |sessions| x |actions| = ${summary.llmCalls.bound} ((${summary.llmCalls.trainSessions} + ${summary.llmCalls.validationSessions}) x ${summary.llmCalls.actions}); one call per step would be ${summary.llmCalls.naiveCalls}`,
        '',
        `ratios (same run): bandit/paper steps per CPU-second ${x(ratios.banditOverPaperSpeed)}; calls / one-call-per-step ${x(ratios.callsOverOneCallPerStep)}; calls / bound ${x(ratios.callsOverBound)}`,
      ].join('\n'));
    });
}
