/**
 * PPO on a synthetic-bandit file: train on its train contexts, and every tenth of the run report
 * training steps per second and the greedy policy's mean validation reward, with its ratio to the
 * per-type oracle. Used by `re2llm bench-ppo` and `re2llm bench`. Prints nothing itself.
 */
import { PpoTrainer, ppoArgs, type PpoPresetName } from '../src/core/agent/ppo';
import { TableBandit, oracleSummary, type BanditFile, type OracleSummary } from '../src/core/agent/syntheticBandit';
import type { CancelSignal } from '../src/core/util/log';

export interface BenchPoint {
  step: number;
  /** Training steps per wall-clock second so far (rollout + optimisation; validation excluded). */
  stepsPerSecond: number;
  /** Training steps per second of this process's CPU time: robust to other load on the machine. */
  stepsPerCpuSecond: number;
  /** Greedy policy's mean reward over the validation contexts. */
  validationReward: number;
  /** validationReward / per-type oracle (or per-context oracle when the file has no types). */
  ratioToOracle: number;
  entropy: number;
}

export interface PpoBenchResult {
  preset: PpoPresetName;
  seed: number;
  steps: number;
  dim: number;
  arms: number;
  trainContexts: number;
  validationContexts: number;
  oracle: OracleSummary;
  /** Which oracle the ratios use. */
  oracleKind: 'perType' | 'perContext';
  points: BenchPoint[];
  final: BenchPoint;
  /** Training wall time (s), validation excluded. */
  trainSeconds: number;
  /** Training CPU time (s) of this process, validation excluded. */
  trainCpuSeconds: number;
}

export async function runPpoBench(
  file: BanditFile,
  opts: { preset: PpoPresetName; steps: number; seed: number; onPoint?: (p: BenchPoint) => void; signal?: CancelSignal },
): Promise<PpoBenchResult> {
  const train = new TableBandit(file.dim, file.arms, file.train);
  const val = new TableBandit(file.dim, file.arms, file.validation);
  const oracle = oracleSummary(file);
  const oracleKind = oracle.perType !== null ? 'perType' : 'perContext';
  const oracleValue = oracle.perType ?? oracle.perContext;
  const t = new PpoTrainer(train, ppoArgs(opts.preset, { seed: opts.seed, totalSteps: opts.steps }));
  const points: BenchPoint[] = [];
  let trainMs = 0;
  let cpuUs = 0;
  let tenth = 1;
  while (!t.finished) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const s = await t.runUpdate(opts.signal);
    const c = process.cpuUsage(c0);
    cpuUs += c.user + c.system;
    trainMs += performance.now() - t0;
    if (t.step >= (tenth * t.numUpdates * t.args.batchSize) / 10 || t.finished) {
      while (t.step >= (tenth * t.numUpdates * t.args.batchSize) / 10) tenth++;
      const v = await t.greedyMeanReward(val);
      const p: BenchPoint = {
        step: t.step,
        stepsPerSecond: t.step / (trainMs / 1000),
        stepsPerCpuSecond: t.step / (cpuUs / 1e6),
        validationReward: v.mean,
        ratioToOracle: oracleValue !== 0 ? v.mean / oracleValue : NaN,
        entropy: s.entropy,
      };
      points.push(p);
      opts.onPoint?.(p);
    }
  }
  return {
    preset: opts.preset, seed: opts.seed, steps: t.step, dim: file.dim, arms: file.arms,
    trainContexts: train.size, validationContexts: val.size, oracle, oracleKind,
    points, final: points[points.length - 1]!, trainSeconds: trainMs / 1000, trainCpuSeconds: cpuUs / 1e6,
  };
}
