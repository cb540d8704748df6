/**
 * Checkpoint selection measured on the simulator (docs/ppo.md, "Checkpoint selection"): for each
 * seed, train the agent once (checkpoints at every validation point) and its K fold agents, then
 * score every step checkpoint greedily on the held-out test sessions. Test gain = mean reward of
 * the greedy hint = agent − no-hint NDCG@10 on those sessions (the paper's reward is exactly that
 * difference). Reports, per pick (last, best-validation, kfold), the test gain over seeds.
 *
 *   npx tsx bench/selectionBench.ts --data examples/hetrec-mini --kb KB.json [--authors-kb]
 *     [--fractions 0.1,0.2,0.3] [--seeds 1,2,3] [--vary-split] [--folds 5] [--steps 10000] [--test 1000] [--out FILE.jsonl]
 *
 * Everything runs in this process against the loopback simulator (seed 1, as the demo); answers
 * are cached on disk under the --work folder, so a rerun asks nothing again.
 */
import { mkdirSync, readFileSync, appendFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { resolveConfig } from '../src/core/config/resolve';
import { loadDataset } from '../src/core/data/load';
import { startSimServer } from '../src/core/sim';
import { openLlmClient } from '../src/core/llm/open';
import { createEncoder, datasetFamilies } from '../src/core/encode';
import { encodeSessions } from '../src/core/encode/session';
import { trainAgent } from '../src/core/agent/train';
import { loadKbFile } from '../src/core/kb/store';
import { importAuthorsHints } from '../src/core/kb/importAuthors';
import { actionHints } from '../src/core/kb/actions';
import type { HintKb } from '../src/core/kb/types';
import { LlmBandit, RewardCache } from '../src/core/agent/llmBandit';
import { fromCheckpoint, readCheckpoint } from '../src/core/agent/checkpoint';
import { PpoAgent, greedyMeanReward } from '../src/core/agent/ppo';
import { RunningMeanStd } from '../src/core/agent/runningStats';
import { foldRunDir, pickKfoldStep, readValidationCurve, stepCheckpointPath } from '../src/core/agent/selection';
import { Rng } from '../src/core/util/rng';
import { silentLogger } from '../src/core/util/log';
import { DEMO_SETTINGS, DEMO_SIM_SEED } from '../src/core/run/demo';

function arg(name: string, def?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1]!;
  if (def === undefined) throw new Error(`--${name} is required`);
  return def;
}
const nums = (s: string) => s.split(',').map(Number);

async function main(): Promise<void> {
  const data = resolve(arg('data'));
  const kbFile = resolve(arg('kb'));
  const authors = process.argv.includes('--authors-kb');
  const fractions = nums(arg('fractions', '0.1'));
  const seeds = nums(arg('seeds', '1,2,3'));
  const folds = Number(arg('folds', '5'));
  const steps = Number(arg('steps', '10000'));
  const testN = Number(arg('test', '1000'));
  const work = resolve(arg('work', join(tmpdir(), 'selection-bench')));
  const out = arg('out', join(work, 'results.jsonl'));
  // With --vary-split the dataset seed follows the agent seed: each seed also draws its own validation slice.
  const varySplit = process.argv.includes('--vary-split');
  mkdirSync(work, { recursive: true });

  const kb: HintKb = authors ? importAuthorsHints(JSON.parse(readFileSync(kbFile, 'utf8')), { file: kbFile }) : (await loadKbFile(kbFile)).kb;
  for (const fraction of fractions) for (const splitSeed of varySplit ? seeds : [null]) {
    const values: Record<string, unknown> = {
      ...DEMO_SETTINGS, 'dataset.path': data, 'dataset.validationFraction': fraction, 'agent.steps': steps,
      'dataset.itemNoun': 'movie', 'dataset.itemNounPlural': 'movies', 'dataset.verbPast': 'watched', 'dataset.verbPresent': 'watch',
      'llm.cacheDir': join(work, 'cache'), 'llm.model': 're2llm-sim', 'agent.kfolds': folds,
      ...(splitSeed !== null ? { 'dataset.seed': splitSeed } : {}),
    };
    const base = resolveConfig({ layers: [{ source: 'bench', values }] }).config;
    const dataset = await loadDataset(base);
    const sim = await startSimServer({ dataset, seed: DEMO_SIM_SEED });
    try {
      const config0 = { ...base, llm: { ...base.llm, baseUrl: sim.url } };
      const client = await openLlmClient(config0);
      const probeItem = dataset.items.values().next().value;
      const encoder = await createEncoder(config0, { client, families: datasetFamilies(dataset), ...(probeItem ? { probeItem } : {}) });
      const test = Rng.derive(7, 'bench-test').shuffle([...dataset.splits.test]).slice(0, testN);
      const testStates = await encodeSessions(encoder, dataset, test);
      const testEnv = new LlmBandit({ dataset, client, config: config0 }, test, testStates, actionHints(kb), new RewardCache());
      for (const seed of splitSeed !== null ? [splitSeed] : seeds) {
        const config = { ...config0, agent: { ...config0.agent, seed } };
        const runDir = join(work, `${dataset.name}-v${fraction}-s${seed}-d${base.dataset.seed}-${steps}`);
        rmSync(runDir, { recursive: true, force: true });
        const t0 = Date.now();
        const problem = { kind: 'llm' as const, dataset, client, kb, kbPath: kbFile, encoder };
        await trainAgent({ config, problem, runDir, packageVersion: 'bench', logger: silentLogger });
        for (let index = 0; index < folds; index++) {
          await trainAgent({ config, problem, runDir: foldRunDir(runDir, folds, index), packageVersion: 'bench', logger: silentLogger, fold: { index, of: folds } });
        }
        const trainSeconds = (Date.now() - t0) / 1000;
        const curve = await readValidationCurve(runDir);
        const testCurve: number[] = [];
        for (const p of curve) {
          const c = await readCheckpoint(stepCheckpointPath(runDir, p.step));
          const s = fromCheckpoint(c);
          const agent = new PpoAgent(s.dim, s.arms, c.hidden, false, null);
          agent.params.set(s.params);
          agent.obsRms = s.obsRms ? RunningMeanStd.fromJSON(s.obsRms) : null;
          testCurve.push((await greedyMeanReward(agent, testEnv)).mean);
        }
        const kf = pickKfoldStep(await Promise.all(Array.from({ length: folds }, (_, i) => readValidationCurve(foldRunDir(runDir, folds, i)))));
        let bestIdx = 0;
        for (let j = 1; j < curve.length; j++) if (curve[j]!.reward > curve[bestIdx]!.reward) bestIdx = j;
        const at = (step: number) => testCurve[curve.findIndex((p) => p.step === step)]!;
        const row = {
          dataset: dataset.name, fraction, seed, datasetSeed: base.dataset.seed, steps, folds,
          trainSessions: dataset.splits.train.length, validationSessions: dataset.splits.validation.length, testSessions: test.length,
          trainSeconds,
          last: { step: curve.at(-1)!.step, test: testCurve.at(-1)! },
          bestValidation: { step: curve[bestIdx]!.step, validation: curve[bestIdx]!.reward, test: testCurve[bestIdx]! },
          kfold: { step: kf.chosenStep, heldOut: kf.chosenMean, test: at(kf.chosenStep) },
          bestTestInHindsight: Math.max(...testCurve),
          curve: curve.map((p, j) => ({ step: p.step, validation: p.reward, kfold: kf.mean[kf.steps.indexOf(p.step)] ?? null, test: testCurve[j] })),
        };
        appendFileSync(out, JSON.stringify(row) + '\n');
        console.log(`${dataset.name} v=${fraction} (train ${row.trainSessions}, val ${row.validationSessions}) seed ${seed}: last ${row.last.test.toFixed(4)} @${row.last.step}, best-val ${row.bestValidation.test.toFixed(4)} @${row.bestValidation.step}, kfold ${row.kfold.test.toFixed(4)} @${row.kfold.step}; ${trainSeconds.toFixed(0)} s`);
      }
    } finally {
      await sim.close();
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
