/**
 * The pipeline's stages, each called alone, and runExperiment's branches: --until, skip on an
 * unchanged rerun, resume of a run with a checkpoint, restart of one without, and a second process
 * on a locked folder. Against the in-process simulated LLM on loopback, on a small cut of hetrec
 * (test/fixtures/eval-sim), with training in this process (a Trainer over trainAgent).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { resolveConfig, type ResolvedConfig } from '../../../src/core/config/resolve';
import { loadDataset } from '../../../src/core/data/load';
import type { SessionDataset } from '../../../src/core/data/types';
import { startSimServer, type SimServer } from '../../../src/core/sim';
import { formatKb, loadKbFile, type HintKb } from '../../../src/core/kb';
import { openLlmClient } from '../../../src/core/llm/open';
import { createEncoder, datasetFamilies } from '../../../src/core/encode';
import { trainAgent } from '../../../src/core/agent/train';
import { isFinishedTraining } from '../../../src/core/agent/runFolder';
import { silentLogger } from '../../../src/core/util/log';
import { PLANNED_EFFECT, pilotFacts } from '../../../src/core/run/setupWarnings';
import { sessionsNeeded } from '../../../src/core/metrics/power';
import { runExperiment, type ExperimentEvent } from '../../../src/core/run/runExperiment';
import type { StageContext, Trainer } from '../../../src/core/run/stage';
import { importStage } from '../../../src/core/run/importStage';
import { reflectStage } from '../../../src/core/run/reflectStage';
import { trainStage } from '../../../src/core/run/trainStage';
import { evaluateStage, evaluationRunDir } from '../../../src/core/run/evaluateStage';
import { tryHint } from '../../../src/core/run/tryHint';
import { STAGE_LOCK_FILE, StageLockedError } from '../../../src/core/run/stageLock';
import { RUN_FILES } from '../../../src/protocol/runFolder';
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

/** A fresh workspace: its own runs folder and KB, a cache shared with nothing. */
function workspace(extra: Record<string, unknown> = {}): ResolvedConfig {
  const root = mkdtempSync(join(tmpdir(), 'pipeline-'));
  const kbPath = join(root, 'toy.hints.json');
  writeFileSync(kbPath, formatKb(kb));
  return resolveConfig({
    layers: [{
      source: 'test',
      values: {
        'dataset.path': DATA, 'llm.baseUrl': sim.url, 'llm.model': 'sim', 'llm.cacheDir': join(root, 'cache'),
        'output.runsDir': join(root, 'runs'), 'output.kbPath': kbPath, 'reflection.targetHints': 2,
        'agent.steps': 32, 'agent.batchSize': 16, 'agent.validateEvery': 1, 'encoder.kind': 'hashing', 'encoder.dim': 32,
        'evaluation.conditions': ['no-hint', 'agent', 'popularity'], 'evaluation.testSample': 0, 'evaluation.bootstrap': 20,
        ...extra,
      },
    }],
  });
}

/** Training in this process, as the worker would run it; records every call's options. */
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
    });
  };
}

const run = (resolved: ResolvedConfig, trainer: Trainer, extra: Partial<Parameters<typeof runExperiment>[0]> = {}) => {
  const events: ExperimentEvent[] = [];
  return runExperiment({ resolved, trainer, packageVersion: 't', logger: silentLogger, onEvent: (e) => events.push(e), lockWaitMs: 100, ...extra }).then((s) => ({ s, events }));
};
const kinds = (events: ExperimentEvent[]) => events.filter((e) => e.kind !== 'progress').map((e) => `${e.stage}:${e.kind}`);
const ctxOf = (resolved: ResolvedConfig): StageContext => ({ resolved, packageVersion: 't', logger: silentLogger });

test('--until stops after the named stage; nothing of a later stage is written', async () => {
  const r = workspace();
  const calls: TrainOptions[] = [];
  const a = await run(r, inProcessTrainer(calls), { until: 'import' });
  assert.deepEqual(kinds(a.events), ['import:start', 'import:done']);
  assert.equal(a.s.kbHints, 2, 'the KB is still read');
  assert.equal(a.s.reflection, null);
  const b = await run(r, inProcessTrainer(calls), { until: 'train' });
  assert.deepEqual(kinds(b.events), ['import:start', 'import:done', 'reflect:skip', 'train:start', 'train:done']);
  assert.equal(calls.length, 1);
  assert.equal(b.s.evaluation, null);
  assert.deepEqual(readdirSync(r.config.output.runsDir).filter((n) => !n.startsWith('train-')), [], 'no eval folder');
});

test('an unchanged rerun skips every stage with no trainer call; a changed evaluation setting reruns only evaluation', async () => {
  const r = workspace();
  const calls: TrainOptions[] = [];
  const first = await run(r, inProcessTrainer(calls));
  assert.deepEqual(calls.map((c) => c.resume), [false]);
  assert.ok(first.s.evaluation && !first.s.evaluation.skipped);
  assert.deepEqual(first.s.evaluation.results.conditions.map((c) => c.condition).sort(), ['agent', 'no-hint', 'popularity']);
  assert.ok(first.s.reportPath && existsSync(first.s.reportPath));
  // The sidebar's setup warnings come with the summary (the CLI prints them); the test-size one is
  // the planner's, with this evaluation as its pilot.
  const tested = first.s.evaluation.results.conditions[0]!.n;
  const pilot = pilotFacts(first.s.evaluation.results, r.config.evaluation.primary, r.config.evaluation.primaryMetric);
  const underpowered = pilot ? tested < sessionsNeeded(pilot.sd, PLANNED_EFFECT) : tested < 100;
  assert.equal(first.s.warnings.some((w) => w.startsWith(`Evaluating on ${tested} test sessions`)), underpowered, first.s.warnings.join(' | '));
  const again = await run(r, inProcessTrainer(calls));
  assert.equal(calls.length, 1, 'no training');
  assert.deepEqual(kinds(again.events), ['import:start', 'import:done', 'reflect:skip', 'train:skip', 'evaluate:skip', 'report:start', 'report:done']);
  assert.equal(again.s.usage.calls, 0);
  assert.deepEqual(again.s.evaluation!.results.conditions, first.s.evaluation.results.conditions);
  const other = await run(resolveConfig({ layers: [{ source: 'x', values: { ...flat(r), 'evaluation.bootstrap': 30 } }] }), inProcessTrainer(calls));
  assert.equal(calls.length, 1);
  assert.equal(other.s.training!.skipped, true);
  assert.equal(other.s.evaluation!.skipped, false);
  assert.notEqual(other.s.evaluation!.runDir, first.s.evaluation.runDir);
});

test('a training folder with a checkpoint is resumed; one without any (killed before its first) is started again', async () => {
  const r = workspace({ 'evaluation.conditions': ['no-hint'] });
  const calls: TrainOptions[] = [];
  const first = await run(r, inProcessTrainer(calls), { until: 'train' });
  const dir = first.s.training!.runDir;
  // Killed after a checkpoint: no summary, no agent yet.
  rmSync(join(dir, RUN_FILES.summary));
  rmSync(join(dir, RUN_FILES.onnx));
  assert.equal(await isFinishedTraining(dir), false);
  await run(r, inProcessTrainer(calls), { until: 'train' });
  assert.deepEqual(calls.map((c) => c.resume), [false, true]);
  assert.ok(await isFinishedTraining(dir));
  // Killed (or an LLM error) before its first checkpoint: config, manifest and metrics only.
  for (const f of [RUN_FILES.summary, RUN_FILES.onnx, RUN_FILES.checkpoints]) rmSync(join(dir, f), { recursive: true });
  const third = await run(r, inProcessTrainer(calls), { until: 'train' });
  assert.deepEqual(calls.map((c) => c.resume), [false, true, false]);
  assert.equal(third.s.training!.skipped, false);
  assert.ok(await isFinishedTraining(dir), 'restarted, not refused with "already holds a training run"');
});

test('a training run that recorded failed answers is trained again from the start, to the same checkpoint as a clean one', async () => {
  const r = workspace({ 'evaluation.conditions': ['no-hint'] });
  const calls: TrainOptions[] = [];
  const first = await run(r, inProcessTrainer(calls), { until: 'train' });
  const dir = first.s.training!.runDir;
  const clean = readFileSync(join(dir, 'checkpoints', 'last.json'), 'utf8');
  // As the worker leaves it when some reward-table answers failed for good (trained as reward 0).
  const summaryPath = join(dir, RUN_FILES.summary);
  writeFileSync(summaryPath, JSON.stringify({ ...JSON.parse(readFileSync(summaryPath, 'utf8')), failures: 3 }));
  const again = await run(r, inProcessTrainer(calls), { until: 'train' });
  assert.deepEqual(calls.map((c) => c.resume), [false, false], 'retrained from scratch, not resumed');
  assert.equal(again.s.training!.skipped, false);
  assert.equal(again.s.training!.failures, undefined, 'the cache answered every pair');
  assert.equal(readFileSync(join(dir, 'checkpoints', 'last.json'), 'utf8'), clean);
  const third = await run(r, inProcessTrainer(calls), { until: 'train' });
  assert.equal(third.s.training!.skipped, true);
});

test('a second process on a locked stage folder fails naming the holder; a stale lock is taken over', async () => {
  const r = workspace({ 'evaluation.conditions': ['no-hint'] });
  const calls: TrainOptions[] = [];
  const imported = await importStage(ctxOf(r));
  const trainDir = join(r.config.output.runsDir, (await trainFolderName(r, imported.dataset)));
  mkdirSync(trainDir, { recursive: true });
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    writeFileSync(join(trainDir, STAGE_LOCK_FILE), JSON.stringify({ pid: holder.pid, host: hostname(), stage: 'train', startedAt: '2026-12-01T10:00:00.000Z' }));
    await assert.rejects(run(r, inProcessTrainer(calls)), (err: unknown) => err instanceof StageLockedError && new RegExp(`train is already running here: pid ${holder.pid}`).test((err as Error).message));
    assert.equal(calls.length, 0, 'nothing paid twice');
  } finally {
    holder.kill('SIGKILL');
    await new Promise((res) => holder.once('exit', res));
  }
  // The holder is dead now: its lock is stale and the run goes through.
  const ok = await run(r, inProcessTrainer(calls));
  assert.equal(calls.length, 1);
  assert.ok(ok.s.evaluation);
  assert.equal(existsSync(join(trainDir, STAGE_LOCK_FILE)), false, 'released');
});

test('each stage alone: import, reflect (kept KB), train, evaluate into a given folder without an agent, try a hint', async () => {
  const r = workspace();
  const ctx = ctxOf(r);
  const { dataset: ds, kbPath } = await importStage(ctx);
  assert.equal(ds.hash, dataset.hash);
  const client = await openLlmClient(r.config);
  const reflected = await reflectStage(ctx, { dataset: ds, client, kbPath });
  assert.deepEqual(reflected.reflection, { skipped: `${kbPath} already holds 2 enabled hints` });
  const calls: TrainOptions[] = [];
  const trained = await trainStage(ctx, { dataset: ds, kb: reflected.kb, kbPath, trainer: inProcessTrainer(calls) });
  assert.equal(trained.skipped, false);
  assert.match(trained.runDir, /train-[0-9a-f]{12}$/);

  // Evaluate without an agent: the agent condition is left out, not an error; the config is recorded, redacted.
  const out = join(mkdtempSync(join(tmpdir(), 'eval-alone-')), 'eval-1');
  const e = await evaluateStage(ctx, { dataset: ds, client, kb: reflected.kb, kbPath, runDir: out, name: 'alone' });
  assert.deepEqual(e.results.conditions.map((c) => c.condition).sort(), ['no-hint', 'popularity']);
  assert.equal(e.results.run.name, 'alone');
  assert.equal(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).evaluation.bootstrap, 20);
  // With the agent, keyed by its train key: the folder runExperiment would use.
  const keyed = await evaluateStage(ctx, { dataset: ds, client, kb: reflected.kb, kbPath, agent: { runDir: trained.runDir, key: trained.key } });
  assert.equal(keyed.runDir, evaluationRunDir(ctx, { dataset: ds, kb: reflected.kb, agent: { runDir: trained.runDir, key: trained.key } }));
  assert.ok(keyed.results.conditions.some((c) => c.condition === 'agent'));

  const t = await tryHint({ dataset: ds, client, config: r.config, hintText: kb.hints[0]!.text, sessions: 3 });
  assert.equal(t.sessions, 3);
  assert.ok(t.improved + t.worsened <= 3);
  assert.ok(Number.isFinite(t.meanReward));
});

function flat(r: ResolvedConfig): Record<string, unknown> {
  const c = r.config;
  return {
    'dataset.path': c.dataset.path, 'llm.baseUrl': c.llm.baseUrl, 'llm.model': c.llm.model, 'llm.cacheDir': c.llm.cacheDir,
    'output.runsDir': c.output.runsDir, 'output.kbPath': c.output.kbPath, 'reflection.targetHints': c.reflection.targetHints,
    'agent.steps': c.agent.steps, 'agent.batchSize': c.agent.batchSize, 'agent.validateEvery': c.agent.validateEvery,
    'encoder.kind': c.encoder.kind, 'encoder.dim': c.encoder.dim, 'evaluation.conditions': c.evaluation.conditions,
    'evaluation.testSample': c.evaluation.testSample, 'evaluation.bootstrap': c.evaluation.bootstrap,
  };
}

async function trainFolderName(r: ResolvedConfig, ds: SessionDataset): Promise<string> {
  const { trainKey } = await import('../../../src/core/run/stageKeys');
  const { kbFingerprint } = await import('../../../src/core/kb');
  return `train-${trainKey({ config: r.config, datasetHash: ds.hash, packageVersion: 't' }, kbFingerprint(kb))}`;
}
