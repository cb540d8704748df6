/**
 * A small study end to end against the in-process simulator, with training in this process:
 * a finished study's second run makes no LLM call, and a study stopped mid-cell resumes to the
 * same numbers as an uninterrupted one.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { loadDataset } from '../../../src/core/data/load';
import { resolveConfig } from '../../../src/core/config/resolve';
import { startSimServer, simEndpointId, type SimServer } from '../../../src/core/sim';
import { runStudy, type RunStudyOptions } from '../../../src/core/study/runStudy';
import { loadStudyFile, type LoadedStudy } from '../../../src/core/study/studyFile';
import { isStudyResults, type StudyResults } from '../../../src/protocol/study';
import { silentLogger } from '../../../src/core/util/log';
import { readJsonFile } from '../../../src/core/util/fs';
import { inProcessTrainer } from '../../helpers/inProcessTrainer';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'eval-sim');
let sim: SimServer;
let study: LoadedStudy;
let endpointId: string;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'study-'));
  const path = join(dir, 'tiny.study.json');
  writeFileSync(path, JSON.stringify({
    name: 'tiny',
    base: { settings: {
      'dataset.path': FIXTURE, 'dataset.name': 'eval-sim', 'agent.steps': 64, 'agent.validateEvery': 1, 'reflection.maxSessions': 20,
      'evaluation.conditions': ['no-hint', 'random-hint', 'agent'], 'evaluation.bootstrap': 20, 'evaluation.testSample': 0, 'encoder.kind': 'profile',
    } },
    axes: { 'reflection.targetHints': [2, 3] },
    seeds: { vary: ['agent.seed'], values: [1, 2] },
    comparisons: [{ a: { condition: 'agent' }, b: { condition: 'no-hint' } }],
    study: { parallel: 2, bootstrap: 100 },
  }));
  study = loadStudyFile(path);
  const dataset = await loadDataset(resolveConfig({ layers: [{ source: 't', values: { 'dataset.path': FIXTURE, 'dataset.name': 'eval-sim' } }] }).config);
  sim = await startSimServer({ dataset, seed: 1 });
  endpointId = simEndpointId(dataset.hash, 1);
});
after(() => sim.close());

function options(outDir: string, extra: Partial<RunStudyOptions> = {}): RunStudyOptions {
  return {
    study, outDir, packageVersion: 'test', logger: silentLogger, trainer: inProcessTrainer(extra.signal), html: false,
    extraLayers: [{ source: 'test sim', values: { 'llm.baseUrl': sim.url, 'llm.model': 'sim', 'llm.endpointId': endpointId, 'llm.cacheDir': join(outDir, 'cache') } }],
    ...extra,
  };
}

/** The numbers of a study, without what depends on when and how fast it ran. */
function numbers(r: StudyResults) {
  return { cells: r.cells.map((c) => ({ id: c.id, status: c.status, label: c.label })), groups: r.groups, comparisons: r.comparisons, complete: r.complete };
}

test('a finished study run again makes 0 LLM calls and writes the same numbers', { timeout: 240_000 }, async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'study-a-')), 'out');
  const first = await runStudy(options(out));
  assert.equal(first.results!.complete, true);
  assert.equal(first.results!.cells.length, 4);
  assert.ok(first.calls > 0);
  const requests = sim.stats().requests;
  const second = await runStudy(options(out));
  assert.equal(second.calls, 0);
  assert.equal(sim.stats().requests, requests, 'the simulator saw no request');
  assert.ok(second.plan.every((p) => p.finished));
  assert.deepEqual(numbers(second.results!), numbers(first.results!));
  const onDisk = await readJsonFile(join(out, 'study.json'));
  assert.ok(isStudyResults(onDisk));
  const validate = new Ajv({ allErrors: true, strict: false }).compile(await readJsonFile<object>(join(__dirname, '..', '..', '..', 'schemas', 'study-results.schema.json')));
  assert.ok(validate(onDisk), JSON.stringify(validate.errors));
  const g = first.results!.groups[0]!;
  assert.equal(g.metrics.agent!['NDCG@10']!.n, 2, 'two seeds per group');
  assert.equal(first.results!.comparisons.length, 2, 'one comparison per axis point');
  assert.equal(first.results!.comparisons[0]!.n, 8, '8 test sessions (averaged over the 2 seeds)');

  // Stopped while the second cell evaluates, then resumed: the same numbers as uninterrupted.
  const out2 = join(mkdtempSync(join(tmpdir(), 'study-b-')), 'out');
  const controller = new AbortController();
  let evaluating = 0;
  const stopped = await runStudy(options(out2, {
    signal: controller.signal, parallel: 1,
    onEvent: (e) => {
      if (e.kind === 'cell-progress' && e.event.stage === 'evaluate' && e.event.kind === 'start' && ++evaluating === 2) controller.abort();
    },
  }));
  assert.equal(stopped.stopped, 'cancelled');
  assert.equal(stopped.results!.complete, false);
  assert.deepEqual(stopped.results!.cells.map((c) => c.status), ['done', 'pending', 'pending', 'pending']);
  const resumed = await runStudy(options(out2));
  assert.equal(resumed.results!.complete, true);
  assert.deepEqual(numbers(resumed.results!), numbers(first.results!));
});

test('the budget stops a study and leaves it resumable', { timeout: 120_000 }, async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'study-c-')), 'out');
  const r = await runStudy(options(out, { maxCalls: 1, parallel: 1 }));
  assert.equal(r.stopped, 'budget');
  assert.equal(r.results!.complete, false);
  const dry = await runStudy(options(out, { dryRun: true }));
  assert.equal(dry.results, undefined);
  assert.equal(dry.plan.filter((p) => !p.finished).length, 4);
  assert.ok(dry.estimate.total > 0);
});
