/**
 * `agent.selection` is applied after training: switching last -> best-validation -> kfold reruns
 * evaluation, never the main training; kfold trains its K fold agents once, inside the training
 * folder, and evaluates the step checkpoint it picked. Against the in-process simulated LLM on the
 * small hetrec cut (test/fixtures/eval-sim), with training in this process.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, type ResolvedConfig } from '../../../src/core/config/resolve';
import { loadDataset } from '../../../src/core/data/load';
import type { SessionDataset } from '../../../src/core/data/types';
import { startSimServer, type SimServer } from '../../../src/core/sim';
import { formatKb, loadKbFile, type HintKb } from '../../../src/core/kb';
import { openLlmClient } from '../../../src/core/llm/open';
import { createEncoder, datasetFamilies } from '../../../src/core/encode';
import { trainAgent } from '../../../src/core/agent/train';
import { readTrainManifest } from '../../../src/core/agent/runFolder';
import { kfoldSelectionPath, readKfoldSelection, readValidationCurve, stepCheckpointPath } from '../../../src/core/agent/selection';
import { readCheckpoint } from '../../../src/core/agent/checkpoint';
import { silentLogger } from '../../../src/core/util/log';
import { runExperiment } from '../../../src/core/run/runExperiment';
import type { Trainer } from '../../../src/core/run/stage';
import type { TrainOptions } from '../../../src/protocol/worker';

const DATA = join(__dirname, '../../fixtures/eval-sim');
const kb: HintKb = {
  version: 1,
  hints: [
    { id: 'h-genre', text: 'Pay attention to the genres the user watches most.' },
    { id: 'h-era', text: 'Consider the release era of the movies the user watched.' },
  ],
};

let sim: SimServer;
let dataset: SessionDataset;
before(async () => {
  dataset = await loadDataset(resolveConfig({ layers: [{ source: 't', values: { 'dataset.path': DATA } }] }).config);
  sim = await startSimServer({ dataset, seed: 1 });
});
after(async () => sim.close());

function resolved(root: string, extra: Record<string, unknown>): ResolvedConfig {
  return resolveConfig({
    layers: [{
      source: 'test',
      values: {
        'dataset.path': DATA, 'llm.baseUrl': sim.url, 'llm.model': 'sim', 'llm.cacheDir': join(root, 'cache'),
        'output.runsDir': join(root, 'runs'), 'output.kbPath': join(root, 'toy.hints.json'), 'reflection.targetHints': 2,
        'agent.steps': 64, 'agent.batchSize': 16, 'agent.validateEvery': 1, 'encoder.kind': 'hashing', 'encoder.dim': 32,
        'evaluation.conditions': ['no-hint', 'agent'], 'evaluation.testSample': 0, 'evaluation.bootstrap': 20, 'evaluation.permutations': 20,
        ...extra,
      },
    }],
  });
}

function inProcessTrainer(calls: TrainOptions[]): Trainer {
  return async (config, options, onProgress) => {
    calls.push(options);
    const ds = await loadDataset(config);
    const client = await openLlmClient(config);
    const encoder = await createEncoder(config, { client, families: datasetFamilies(ds) });
    const k = (await loadKbFile(options.kbPath!, ds.name)).kb;
    return trainAgent({
      config, runDir: options.runDir, resume: options.resume, packageVersion: options.packageVersion, logger: silentLogger, onProgress,
      problem: { kind: 'llm', dataset: ds, client, kb: k, kbPath: options.kbPath!, encoder },
      ...(options.fold ? { fold: options.fold } : {}),
    });
  };
}

test('changing agent.selection re-selects without retraining; kfold trains its fold agents once and evaluates the step it picked', async () => {
  const root = mkdtempSync(join(tmpdir(), 'selection-'));
  writeFileSync(join(root, 'toy.hints.json'), formatKb(kb));
  const calls: TrainOptions[] = [];
  const go = (extra: Record<string, unknown>) => runExperiment({ resolved: resolved(root, extra), trainer: inProcessTrainer(calls), packageVersion: 't', logger: silentLogger, lockWaitMs: 100 });

  const last = await go({ 'agent.selection': 'last' });
  const runDir = last.training!.runDir;
  assert.equal(calls.length, 1);
  // A checkpoint at every validation point (validateEvery 1: every update of 16 steps).
  const curve = await readValidationCurve(runDir);
  assert.deepEqual(curve.map((p) => p.step), [16, 32, 48, 64]);
  for (const p of curve) assert.equal((await readCheckpoint(stepCheckpointPath(runDir, p.step))).step, p.step);

  const best = await go({ 'agent.selection': 'best-validation' });
  assert.equal(calls.length, 1, 'best-validation: no training');
  assert.equal(best.training!.runDir, runDir, 'the same training folder');
  assert.equal(best.evaluation!.skipped, false, 'a new evaluation');
  assert.notEqual(best.evaluation!.runDir, last.evaluation!.runDir);

  const kfold = await go({ 'agent.selection': 'kfold', 'agent.kfolds': 3 });
  assert.equal(kfold.training!.runDir, runDir, 'kfold keeps the training folder');
  assert.deepEqual(calls.slice(1).map((c) => c.fold), [{ index: 0, of: 3 }, { index: 1, of: 3 }, { index: 2, of: 3 }], 'one fold agent per fold, and no main retraining');
  const sel = (await readKfoldSelection(runDir, 3))!;
  assert.ok(existsSync(kfoldSelectionPath(runDir, 3)));
  assert.deepEqual(sel.steps, [16, 32, 48, 64]);
  const means = sel.steps.map((_, j) => sel.perFold.reduce((t, row) => t + row[j]!, 0) / 3);
  assert.equal(sel.chosenStep, sel.steps[means.indexOf(Math.max(...means))]);
  // The fold agents were validated on held-out training sessions, never on the validation split.
  const trainIds = new Set(dataset.splits.train.map((s) => s.id));
  const f0 = await readTrainManifest(calls[1]!.runDir);
  assert.deepEqual(f0.fold, { index: 0, of: 3 });
  assert.equal(f0.trainSessions! + f0.validationSessions!, trainIds.size);
  const results = JSON.parse(readFileSync(join(kfold.evaluation!.runDir, 'results.json'), 'utf8')) as { agentTraining?: { checkpoint?: string } };
  assert.equal(results.agentTraining?.checkpoint, 'kfold');

  const again = await go({ 'agent.selection': 'kfold', 'agent.kfolds': 3 });
  assert.equal(calls.length, 4, 'a rerun trains nothing');
  assert.equal(again.evaluation!.skipped, true);
});
