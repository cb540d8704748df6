/**
 * Ask before a costly run (issue 12.4): the modal's figures and thresholds, Train not started when
 * the modal is dismissed and started on "Start", and the simulated LLM never estimated nor asked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Studio } from '../../src/extension/host/studio';
import { Actions } from '../../src/extension/host/actions';
import { SECRET_KEY } from '../../src/extension/host/apiKey';
import { SIMULATED_LLM_KEY } from '../../src/extension/actions/llmAccess';
import { costQuestion, DEFAULT_THRESHOLDS, thresholdsFrom } from '../../src/extension/actions/confirmCost';
import type { StageEstimate } from '../../src/extension/coreAdapter/api';
import { formatKb } from '../../src/core/kb/store';
import { FakeVs } from './fakes/fakeVscode';
import { FakeCore } from './fakes/fakeCore';

const est = (stage: string, requests: number, onlineCost: number, embeddings = 0): StageEstimate => ({
  stage,
  requests,
  promptTokens: requests * 400,
  completionTokens: requests * 120,
  embeddings,
  embeddingRequestsOnline: Math.ceil(embeddings / 256),
  embeddingRequestsBatch: embeddings,
  embeddingTokens: embeddings * 30,
  embeddingCost: 0,
  onlineCost,
  batchCost: onlineCost / 2,
});
const remote = { executor: 'online' as const, loopback: false, endpoint: 'gpt-4o-mini on api.openai.com' };

test('costQuestion: silent below both thresholds; the figures per stage above either; batch prices; loopback never asks by calls', () => {
  const t = { cost: 1, calls: 5000 };
  assert.equal(costQuestion('Train', [est('train', 4000, 0.9)], t, remote), undefined);
  const q = costQuestion('Run Full Pipeline', [est('reflect', 600, 0.05), est('train', 10500, 1.36), est('evaluate', 1200, 0.2)], t, remote)!;
  assert.match(q.message, /Run Full Pipeline will make about 12,300 LLM calls to gpt-4o-mini on api\.openai\.com, an estimated \$1\.61 \(online prices\)/);
  assert.match(q.detail, /train: 10,500 calls, ~4,200,000 prompt \+ ~1,260,000 answer tokens, \$1\.36/);
  assert.match(q.detail, /above re2llm\.confirmAboveCost \(\$1\.00\) and above re2llm\.confirmAboveCalls \(5,000\)/);
  // Batch halves the price: under the dollar threshold, still over the calls one.
  const b = costQuestion('Train', [est('train', 10500, 1.36)], t, { ...remote, executor: 'batch' })!;
  assert.match(b.message, /\$0\.6800 \(batch prices\)/);
  assert.doesNotMatch(b.detail, /confirmAboveCost/);
  // A loopback endpoint costs nothing unless priced: many calls alone do not ask.
  assert.equal(costQuestion('Train', [est('train', 50_000, 0)], t, { ...remote, loopback: true }), undefined);
  assert.ok(costQuestion('Train', [est('train', 50_000, 2)], t, { ...remote, loopback: true }), 'priced loopback asks by cost');
  assert.equal(costQuestion('Train', [est('train', 50_000, 0.5)], { cost: 1, calls: 0 }, remote), undefined, 'calls 0: off');
});

test('costQuestion: embeddings count as calls the way the executor sends them (256 texts a request online, one batch line per text)', () => {
  const t = { cost: 100, calls: 5000 };
  const train = est('train', 4000, 0.9, 1200);
  // Online: 4,000 + ceil(1,200 / 256) = 4,005 calls, under the threshold.
  assert.equal(costQuestion('Train', [train], t, remote), undefined);
  // Batch: 4,000 + 1,200 lines = 5,200, over it; the detail names the texts and their tokens.
  const q = costQuestion('Train', [train], t, { ...remote, executor: 'batch' })!;
  assert.match(q.message, /about 5,200 LLM calls/);
  assert.match(q.detail, /train: 5,200 calls, ~1,600,000 prompt \+ ~480,000 answer tokens, 1,200 texts to embed \(~36,000 tokens\), \$0\.4500/);
});

test('thresholds: the most specific setting layer; invalid values fall back to the defaults', () => {
  const vs = new FakeVs();
  assert.deepEqual(thresholdsFrom(vs.settings), DEFAULT_THRESHOLDS);
  vs.settingsLayers.set('confirmAboveCost', { defaultValue: 1, globalValue: 5, workspaceValue: 0.25 });
  vs.settingsLayers.set('confirmAboveCalls', { defaultValue: 5000, globalValue: -3 });
  assert.deepEqual(thresholdsFrom(vs.settings), { cost: 0.25, calls: DEFAULT_THRESHOLDS.calls });
});

function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'ext-cost-'));
  mkdirSync(join(root, 'data', 'toy'), { recursive: true });
  writeFileSync(join(root, 'data', 'toy', 'items.jsonl'), '');
  mkdirSync(join(root, 're2llm'), { recursive: true });
  writeFileSync(join(root, 're2llm', 'toy.hints.json'), formatKb({ version: 1, dataset: 'toy', hints: [{ id: 'h-1', text: 'Prefer sequels.' }] }));
  const vs = new FakeVs();
  vs.workspaceFolders = [root];
  const core = new FakeCore();
  const studio = new Studio(vs, core, {});
  return { vs, core, studio, actions: new Actions(studio) };
}

async function settle(studio: Studio): Promise<void> {
  for (let i = 0; i < 50 && studio.jobs.running().length; i++) await new Promise((r) => setTimeout(r, 10));
}

test('Train with a key on a remote endpoint: a modal with the estimate; dismissed, nothing starts; Start, it trains', async () => {
  const w = workspace();
  w.vs.secretsStore.set(SECRET_KEY, 'sk-test-0000000000000000000000');
  w.core.estimates = [est('train', 10500, 1.36)];
  w.vs.messageAnswers.push(undefined);
  await w.actions.train({ 'agent.steps': 100 });
  await settle(w.studio);
  const modal = w.vs.shown.find((s) => s.level === 'modal');
  assert.ok(modal, 'asked');
  assert.match(modal.message, /Train Retrieval Agent will make about 10,500 LLM calls .* \$1\.36/);
  assert.deepEqual(modal.actions, ['Start']);
  assert.deepEqual(w.core.estimated, [['train']]);
  assert.equal(w.core.calls.filter((c) => c.fn === 'train').length, 0, 'dismissed: not started');
  w.vs.messageAnswers.push('Start');
  await w.actions.train({ 'agent.steps': 100 });
  await settle(w.studio);
  assert.equal(w.core.calls.filter((c) => c.fn === 'train').length, 1);
});

test('Evaluate under the threshold starts without asking; the simulated LLM is neither estimated nor asked', async () => {
  const w = workspace();
  w.vs.secretsStore.set(SECRET_KEY, 'sk-test-0000000000000000000000');
  w.core.estimates = [est('evaluate', 200, 0.02)];
  await w.actions.evaluate({});
  await settle(w.studio);
  assert.ok(!w.vs.shown.some((s) => s.level === 'modal'));
  assert.equal(w.core.calls.filter((c) => c.fn === 'evaluate').length, 1);
  // Full run estimates its three stages together.
  await w.actions.runPipeline({});
  await settle(w.studio);
  assert.deepEqual(w.core.estimated.at(-1), ['reflect', 'train', 'evaluate']);
  assert.equal(w.core.calls.filter((c) => c.fn === 'runExperiment').length, 1);

  const sim = workspace();
  await sim.vs.workspaceState.update(SIMULATED_LLM_KEY, true);
  sim.core.estimates = [est('reflect', 99_999, 50)];
  await sim.actions.reflect({});
  await settle(sim.studio);
  assert.deepEqual(sim.core.estimated, [], 'no estimate for the simulator');
  assert.ok(!sim.vs.shown.some((s) => s.level === 'modal'));
  // Started at once (the fake core has no dataset for the simulator, so the job itself then fails).
  assert.ok(sim.vs.logLines.some((l) => /job reflect-\S+ started: Reflect on toy/.test(l.message)));
});
