/**
 * Online, runExperiment asks training's reward table and every evaluation condition's answers
 * ahead of the stage (issue 15: the pipe stays full instead of rollout by rollout and condition
 * by condition): the trainer then makes no call, the evaluation only the answers no plan can
 * state, and the results are those of a run that asked each answer when it needed it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../../src/core/config/resolve';
import { loadDataset } from '../../../src/core/data/load';
import { startSimServer, type SimServer } from '../../../src/core/sim';
import { formatKb, type HintKb } from '../../../src/core/kb';
import { silentLogger } from '../../../src/core/util/log';
import { runExperiment } from '../../../src/core/run/runExperiment';
import { asksAheadOnline, fillPendingPlan, mayFillReflectionAhead } from '../../../src/core/run/stagePlans';
import { planTraining, type RequestPlan } from '../../../src/core/plan';
import { createLlmClient, ResponseCache } from '../../../src/core/llm';
import { onlineExecutor } from '../../../src/core/llm/executor';
import { inProcessTrainer } from '../../helpers/inProcessTrainer';

const DATA = join(__dirname, '../../fixtures/eval-sim');
const kb: HintKb = {
  version: 1,
  hints: [
    { id: 'h-genre', text: 'Pay attention to the genres the user watches most.' },
    { id: 'h-era', text: 'Consider the release era of the movies the user watched.' },
  ],
};

let sim: SimServer;
before(async () => {
  const dataset = await loadDataset(resolveConfig({ layers: [{ source: 't', values: { 'dataset.path': DATA } }] }).config);
  sim = await startSimServer({ dataset, seed: 1 });
});
after(async () => sim.close());

function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'fill-ahead-'));
  const kbPath = join(root, 'toy.hints.json');
  writeFileSync(kbPath, formatKb(kb));
  return resolveConfig({
    layers: [{
      source: 'test',
      values: {
        'dataset.path': DATA, 'llm.baseUrl': sim.url, 'llm.model': 'sim', 'llm.endpointId': 'sim://fill-ahead', 'llm.cacheDir': join(root, 'cache'),
        'output.runsDir': join(root, 'runs'), 'output.kbPath': kbPath, 'reflection.targetHints': 2, 'llm.concurrency': 8,
        'agent.steps': 32, 'agent.batchSize': 16, 'agent.validateEvery': 1, 'encoder.kind': 'hashing', 'encoder.dim': 32,
        'evaluation.conditions': ['no-hint', 'random-hint', 'best-fixed-hint', 'oracle', 'agent'], 'evaluation.bootstrap': 20,
        'llm.inputCostPerMTok': 0.15, 'llm.outputCostPerMTok': 0.6,
      },
    }],
  });
}

test('online runs (best-fixed-hint evaluated) ask the reward table and the evaluation plan ahead: the trainer makes no call, the results are unchanged', async () => {
  const a = workspace();
  const readAhead: number[] = [];
  const run = await runExperiment({
    resolved: a, trainer: inProcessTrainer(), packageVersion: 'test', logger: silentLogger,
    onEvent: (e) => void (e.kind === 'progress' && e.stage === 'train' && readAhead.push(e.progress.askedAhead ?? 0)),
  });
  assert.ok(run.training && run.evaluation);
  // The live progress says so too: the answers paid ahead read so far, growing to the summary's.
  assert.ok(readAhead.length > 0 && readAhead.every((n, i) => i === 0 || n >= readAhead[i - 1]!), readAhead.join(','));
  assert.equal(run.training.calls, 0, 'every reward was in the cache before the first rollout');
  // ...and the training run says what it read of the table paid for ahead of it: not 0 calls.
  assert.ok(run.training.askedAhead && run.training.askedAhead.calls > 0 && run.training.askedAhead.cost > 0, JSON.stringify(run.training.askedAhead));
  const written = JSON.parse(readFileSync(join(run.training.runDir, 'summary.json'), 'utf8')) as { askedAhead?: { calls: number } };
  assert.equal(written.askedAhead?.calls, run.training.askedAhead.calls, 'summary.json in the run folder carries it');
  assert.equal(readAhead.at(-1), run.training.askedAhead.calls);
  const dataset = await loadDataset(a.config);
  const table = planTraining({ dataset, config: a.config }, kb).requests.length;
  assert.ok(run.usage.calls >= table, `${run.usage.calls} calls, the table alone is ${table}`);
  // The oracle covers every (test session, action), the agent's answers too: every answer the
  // evaluation reads was asked ahead, and each is charged to the condition that reads it first.
  const evalCalls = run.evaluation.results.conditions.reduce((n, x) => n + (x.usage?.calls ?? 0), 0);
  assert.ok(evalCalls > 0, 'the answers asked ahead are charged to the conditions, not shown as cache hits');
  // What each stage paid: the evaluation its conditions' calls, training the table asked for it,
  // and together every call this process made.
  const spend = run.spend;
  assert.equal(spend.evaluate?.calls, evalCalls);
  const evalCost = run.evaluation.results.conditions.reduce((n, x) => n + (x.usage?.cost ?? 0), 0);
  assert.ok(Math.abs(spend.evaluate!.cost - evalCost) < 1e-6, `${spend.evaluate!.cost} vs ${evalCost}`);
  assert.ok(spend.train!.calls >= table, `training paid ${spend.train!.calls}, the table is ${table}`);
  assert.equal((spend.reflect?.calls ?? 0) + spend.train!.calls + spend.evaluate!.calls, run.usage.calls);
  assert.ok(Math.abs((spend.reflect?.cost ?? 0) + spend.train!.cost + spend.evaluate!.cost - run.usage.cost) < 1e-6);

  // The same experiment with a client that cannot be asked ahead (a fill that does nothing) gives the same results.
  const b = workspace();
  const lazy = await runExperiment({ resolved: b, trainer: inProcessTrainer(), packageVersion: 'test', logger: silentLogger, fill: async () => {} });
  assert.ok(lazy.training && lazy.evaluation);
  assert.ok(lazy.training.calls > 0, 'without the fill the trainer asks as it goes');
  // What the trainer asked itself (its own client, in the worker's process) counts as training's
  // spend: before, `run` printed "train 0 calls $0.0000" for a worker that made every call.
  assert.equal(lazy.training.askedAhead, undefined);
  assert.ok(lazy.training.cost! > 0);
  assert.equal(lazy.spend.train?.calls, lazy.training.calls);
  assert.ok(Math.abs(lazy.spend.train!.cost - lazy.training.cost!) < 1e-9, `${lazy.spend.train!.cost} vs ${lazy.training.cost}`);
  const metrics = (r: typeof run): unknown => r.evaluation!.results.conditions.map((c) => [c.condition, c.metrics]);
  assert.deepEqual(metrics(lazy), metrics(run));

  // Each condition's usage is what it costs asked condition by condition: the same calls, cache
  // hits, tokens and cost as a run whose evaluation asks each answer itself (its reward table
  // asked ahead as well, through a client of its own, so best-fixed-hint finds it in both).
  const c = workspace();
  const tableOnly = async (plan: RequestPlan): Promise<void> => {
    if (plan.stage !== 'train') return;
    const client = createLlmClient(c.config, { cache: await ResponseCache.open(c.config.llm.cacheDir) });
    await onlineExecutor(client, 8).fill(plan.requests);
  };
  const asked = await runExperiment({ resolved: c, trainer: inProcessTrainer(), packageVersion: 'test', logger: silentLogger, fill: tableOnly });
  const usage = (r: typeof run): unknown => r.evaluation!.results.conditions.map((x) => [x.condition, x.usage]);
  assert.deepEqual(usage(run), usage(asked));
  assert.ok(run.evaluation.results.conditions.every((x) => x.usage!.cost > 0 || !x.usage!.calls), 'paid answers carry their cost');
  // The same answers and rankings (only whether an answer came from the cache differs).
  const predictions = (dir: string): unknown =>
    readFileSync(join(dir, 'predictions.jsonl'), 'utf8').trim().split('\n').map((l) => ({ ...(JSON.parse(l) as object), cached: null }));
  assert.deepEqual(predictions(lazy.evaluation.runDir), predictions(run.evaluation.runDir));
});

test('asksAheadOnline: evaluation always; the reward table only when best-fixed-hint reads it anyway; reflection never', () => {
  const withBest = resolveConfig({ layers: [] }).config;
  const without = resolveConfig({ layers: [{ source: 't', values: { 'evaluation.conditions': ['no-hint', 'agent'] } }] }).config;
  assert.equal(asksAheadOnline('evaluate', without), true);
  assert.equal(asksAheadOnline('train', withBest), true);
  // Without best-fixed-hint the full table would cost more than PPO asks on demand.
  assert.equal(asksAheadOnline('train', without), false);
  assert.equal(asksAheadOnline('reflect', withBest), false);
});

test('reflection\'s round 1 is paid for ahead only where a budget leaves room for it: not under --max-cost, nor when its lines alone pass reflection.maxCalls', async () => {
  const config = resolveConfig({ layers: [{ source: 't', values: { 'reflection.maxCalls': 3 } }] }).config;
  const request = (i: number) => ({ cacheKey: `k${i}`, request: { messages: [{ role: 'user' as const, content: `q${i}` }] } }) as unknown as RequestPlan['requests'][number];
  const plan = (stage: RequestPlan['stage'], n: number): RequestPlan => ({ stage, requests: Array.from({ length: n }, (_, i) => request(i)), notes: [] });
  assert.equal(mayFillReflectionAhead(plan('reflect', 3), config), true);
  assert.equal(mayFillReflectionAhead(plan('reflect', 4), config), false, '4 lines under a budget of 3 calls (300 on hetrec under 200)');
  assert.equal(mayFillReflectionAhead(plan('reflect', 3), config, 1), false, 'under --max-cost');
  assert.equal(mayFillReflectionAhead(plan('evaluate', 400), config), true, 'other stages have their own budgets');
  // fillPendingPlan, which the extension and `run` use: the filler is not called.
  let filled = 0;
  const client = createLlmClient(config, { cache: await ResponseCache.open(mkdtempSync(join(tmpdir(), 'fill-ahead-'))) });
  const fill = async (): Promise<void> => void filled++;
  assert.equal(await fillPendingPlan(plan('reflect', 4), { config, client, fill }), undefined);
  assert.equal(filled, 0);
  assert.ok(await fillPendingPlan(plan('reflect', 3), { config, client, fill }));
  assert.equal(filled, 1);
});

test('a training reused from its folder is not paid for ahead: no reward-table plan is filled (unless best-fixed-hint reads it)', async () => {
  const a = workspace();
  const conditions = ['no-hint', 'agent'];
  const resolved = { ...a, config: { ...a.config, evaluation: { ...a.config.evaluation, conditions } } } as typeof a;
  // First run: the worker asks the table as it goes (no condition reads it all).
  const first = await runExperiment({ resolved, trainer: inProcessTrainer(), packageVersion: 'test', logger: silentLogger });
  assert.ok(first.training && first.training.calls > 0);
  // Second run, through a fill that records what it is handed (as llm.executor=batch would be).
  const filled: string[] = [];
  const recording = async (plan: RequestPlan): Promise<void> => {
    if (plan.requests.length) filled.push(plan.stage);
  };
  const second = await runExperiment({ resolved, trainer: inProcessTrainer(), packageVersion: 'test', logger: silentLogger, fill: recording });
  assert.equal(second.training?.skipped, true, 'the finished training is reused');
  // Before, the rest of the table (the pairs PPO never sampled) was handed to the fill and paid for.
  assert.ok(!filled.includes('train'), `plans filled: ${filled.join(', ')}`);
});
