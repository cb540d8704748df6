import type { Command } from 'commander';
import { ioFor } from './shared';
import { readBanditFile, generateBandit } from '../../core/agent/syntheticBandit';
import { writeFileAtomic } from '../../core/util/fs';
import { runPpoBench, type PpoKernel } from '../../../bench/ppoBench';
import type { PpoPresetName } from '../../core/agent/ppo';

interface BenchPpoOptions {
  bandit?: string;
  generate?: string;
  steps: string;
  preset: string;
  kernel: string;
  seed: string;
  types: string;
  dim: string;
  arms: string;
  contexts: string;
  spread?: string;
  noise?: string;
}

export function register(program: Command): void {
  program
    .command('bench-ppo')
    .description('train PPO on a synthetic-bandit file and report steps/s and the greedy validation reward every tenth of the run (or generate such a file)')
    .option('--bandit <file>', 'synthetic-bandit JSON file to train on')
    .option('--steps <n>', 'environment steps', '20000')
    .option('--preset <name>', 'PPO preset: bandit | paper', 'bandit')
    .option('--kernel <name>', 'trainer: batched (today\'s) | reference (the pre-2026-12 kernels, for comparison)', 'batched')
    .option('--seed <n>', 'seed (PPO; with --generate, the generator)', '1')
    .option('--generate <file>', 'write a generated synthetic-bandit file instead of training')
    .option('--types <n>', 'generator: latent context types', '8')
    .option('--dim <n>', 'generator: state dimension', '768')
    .option('--arms <n>', 'generator: arms including arm 0 (no hint)', '21')
    .option('--contexts <n>', 'generator: contexts per split (train and validation)', '500')
    .option('--spread <x>', 'generator: context spread around its type centre (default 1)')
    .option('--noise <x>', 'generator: std of the fixed per-(context, arm) reward noise (default 0.1)')
    .action(async (o: BenchPpoOptions, cmd: Command) => {
      const io = ioFor(cmd);
      const int = (v: string, flag: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag} expects a non-negative integer, got "${v}"`);
        return n;
      };
      if (o.generate) {
        const f = generateBandit({
          types: int(o.types, 'types'), dim: int(o.dim, 'dim'), arms: int(o.arms, 'arms'), contexts: int(o.contexts, 'contexts'), seed: int(o.seed, 'seed'),
          ...(o.spread !== undefined ? { spread: Number(o.spread) } : {}), ...(o.noise !== undefined ? { noise: Number(o.noise) } : {}),
        });
        await writeFileAtomic(o.generate, JSON.stringify(f));
        io.result({ file: o.generate, dim: f.dim, arms: f.arms, train: f.train.states.length, validation: f.validation.states.length }, `wrote ${o.generate}: ${f.train.states.length} + ${f.validation.states.length} contexts, ${f.dim}-d, ${f.arms} arms`);
        return;
      }
      if (!o.bandit) throw new Error('bench-ppo: give --bandit FILE (or --generate FILE)');
      if (o.preset !== 'bandit' && o.preset !== 'paper') throw new Error(`--preset must be bandit or paper, got "${o.preset}"`);
      if (o.kernel !== 'batched' && o.kernel !== 'reference') throw new Error(`--kernel must be batched or reference, got "${o.kernel}"`);
      const file = await readBanditFile(o.bandit);
      const res = await runPpoBench(file, {
        preset: o.preset as PpoPresetName, steps: int(o.steps, 'steps'), seed: int(o.seed, 'seed'), kernel: o.kernel as PpoKernel,
        onPoint: (p) => io.logger.log('info', `step ${p.step}: ${p.stepsPerSecond.toFixed(0)} steps/s (${p.stepsPerCpuSecond.toFixed(0)} per CPU-second), validation reward ${p.validationReward.toFixed(4)} (${(100 * p.ratioToOracle).toFixed(1)}% of oracle)`),
      });
      io.result(res, () => [
        `preset ${res.preset}, ${res.kernel} kernels, seed ${res.seed}, ${res.steps} steps on ${res.trainContexts} train contexts (${res.dim}-d, ${res.arms} arms)`,
        `oracle (${res.oracleKind}) ${(res.oracle.perType ?? res.oracle.perContext).toFixed(4)}; best fixed arm ${res.oracle.bestFixed.toFixed(4)}; uniform ${res.oracle.uniform.toFixed(4)}`,
        'step      steps/s  steps/cpu-s  val reward  % oracle',
        ...res.points.map((p) => `${String(p.step).padEnd(9)} ${p.stepsPerSecond.toFixed(0).padStart(7)}  ${p.stepsPerCpuSecond.toFixed(0).padStart(11)}  ${p.validationReward.toFixed(4).padStart(10)}  ${(100 * p.ratioToOracle).toFixed(1).padStart(8)}`),
        `${(res.flopsPerStep / 1e6).toFixed(2)} MFLOP per step in the linear layers: ${((res.flopsPerStep * res.final.stepsPerCpuSecond) / 1e9).toFixed(2)} GFLOP per CPU-second`,
      ].join('\n'));
    });
}
