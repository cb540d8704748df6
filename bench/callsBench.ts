/**
 * LLM calls used by agent training versus the |sessions| × |actions| bound, on a real dataset
 * (hetrec by default) with the simulated LLM on loopback and the authors' released KB. The
 * response cache lives in a fresh temporary folder, so every call is counted from zero.
 * Used by `re2llm bench`. Prints nothing itself.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type Re2llmConfig } from '../src/core/config/defaults';
import { loadDataset } from '../src/core/data/load';
import { importAuthorsHints } from '../src/core/kb/importAuthors';
import { createLlmClient, ResponseCache } from '../src/core/llm';
import { startSimServer } from '../src/core/sim/server';
import { HashingEncoder } from '../src/core/encode';
import { trainAgent } from '../src/core/agent/train';
import type { Logger } from '../src/core/util/log';
import type { TrainSummary } from '../src/protocol/worker';

export interface CallsBenchResult {
  dataset: string;
  trainSessions: number;
  validationSessions: number;
  actions: number;
  steps: number;
  preset: string;
  calls: number;
  /** (train + validation sessions) × actions. */
  bound: number;
  /** What the authors' loop would have made: one call per step (plus none for validation). */
  naiveCalls: number;
  cacheHits: number;
  bestValidationReward: number | null;
  seconds: number;
  summary: TrainSummary;
}

export async function runCallsBench(opts: { datasetPath: string; hintsFile: string; steps: number; preset: 'bandit' | 'paper'; logger: Logger; seed?: number }): Promise<CallsBenchResult> {
  const base = defaultConfig();
  const tmp = await mkdtemp(join(tmpdir(), 're2llm-bench-'));
  let config: Re2llmConfig = {
    ...base,
    dataset: { ...base.dataset, path: opts.datasetPath, skipBadRows: true },
    agent: { ...base.agent, preset: opts.preset, seed: opts.seed ?? 1 },
    llm: { ...base.llm, cacheDir: join(tmp, 'cache'), concurrency: 8 },
  };
  const dataset = await loadDataset(config, { logger: opts.logger });
  const kb = importAuthorsHints(JSON.parse(await readFile(opts.hintsFile, 'utf8')), { file: opts.hintsFile, dataset: dataset.name });
  const sim = await startSimServer({ dataset, seed: 1 });
  try {
    config = { ...config, llm: { ...config.llm, baseUrl: sim.url, model: 'sim' } };
    const client = createLlmClient(config, { cache: await ResponseCache.open(config.llm.cacheDir), logger: opts.logger });
    const summary = await trainAgent({
      config, runDir: join(tmp, 'run'), steps: opts.steps, packageVersion: 'bench', logger: opts.logger,
      problem: { kind: 'llm', dataset, client, kb, kbPath: opts.hintsFile, encoder: new HashingEncoder(config.encoder.dim) },
    });
    const trainSessions = Math.min(dataset.splits.train.length, config.dataset.maxTrainSessions);
    return {
      dataset: dataset.name, trainSessions, validationSessions: dataset.splits.validation.length,
      actions: kb.hints.length + 1, steps: summary.steps, preset: opts.preset,
      calls: summary.calls, bound: summary.callBound, naiveCalls: summary.steps, cacheHits: summary.cacheHits,
      bestValidationReward: summary.bestValidationReward, seconds: summary.seconds, summary,
    };
  } finally {
    await sim.close();
    await rm(tmp, { recursive: true, force: true });
  }
}
