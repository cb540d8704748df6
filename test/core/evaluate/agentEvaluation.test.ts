/**
 * A real trained agent, end to end: a short PPO run against the in-process simulator on the
 * eval-sim fixture, loaded back from its run folder (checkpoint + recorded encoder) and
 * evaluated greedily; then refused once the KB changes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type Re2llmConfig } from '../../../src/core/config/defaults';
import { loadDataset } from '../../../src/core/data/load';
import type { SessionDataset } from '../../../src/core/data/types';
import { createLlmClient, ResponseCache } from '../../../src/core/llm';
import { startSimServer, type SimServer } from '../../../src/core/sim';
import { actionHints, kbFingerprint, type HintKb } from '../../../src/core/kb';
import { createEncoder } from '../../../src/core/encode';
import { trainAgent } from '../../../src/core/agent/train';
import { silentLogger } from '../../../src/core/util/log';
import { runEvaluation } from '../../../src/core/evaluate/runEvaluation';
import { loadAgentPolicy } from '../../../src/core/evaluate/agentAdapter';
import { agentPolicyFactory } from '../../../src/core/evaluate/agentPolicyFactory';
import { StaleAgentError } from '../../../src/core/evaluate/agentPolicy';
import { validateResultsFile } from '../../../src/core/evaluate/resultsSchema';
import { FIXTURES } from './fixtures';

const kb: HintKb = {
  version: 1,
  hints: [
    { id: 'h-genre', text: 'Pay attention to the genres the user watches most.' },
    { id: 'h-era', text: 'Consider the release era of the movies the user watched.' },
    { id: 'h-dir', text: 'Consider the directors the user likes.' },
  ],
};
let sim: SimServer;
let dataset: SessionDataset;
const cacheDir = mkdtempSync(join(tmpdir(), 'eval-agent-cache-'));

function config(): Re2llmConfig {
  const c = defaultConfig();
  c.dataset.path = join(FIXTURES, 'eval-sim');
  c.llm.baseUrl = sim.url;
  c.llm.model = 'sim';
  c.encoder.dim = 64;
  c.agent.steps = 128;
  c.agent.batchSize = 32;
  c.agent.validateEvery = 2;
  c.evaluation.testSample = 0;
  c.evaluation.bootstrap = 100;
  c.evaluation.conditions = ['no-hint', 'agent', 'sknn'];
  return c;
}

before(async () => {
  const c = defaultConfig();
  c.dataset.path = join(FIXTURES, 'eval-sim');
  dataset = await loadDataset(c);
  sim = await startSimServer({ dataset, seed: 1 });
});
after(async () => {
  await sim?.close();
});

test('a trained agent is loaded from its run folder and evaluated greedily; a changed KB refuses it', async () => {
  const cfg = config();
  const client = createLlmClient(cfg, { cache: await ResponseCache.open(cacheDir) });
  const agentDir = mkdtempSync(join(tmpdir(), 'agent-run-'));
  const encoder = await createEncoder(cfg);
  const summary = await trainAgent({ config: cfg, problem: { kind: 'llm', dataset, client, kb, kbPath: 'kb.json', encoder }, runDir: agentDir, packageVersion: 'test', logger: silentLogger });
  assert.equal(summary.cancelled, false);

  const expect = { datasetHash: dataset.hash, kbFingerprint: kbFingerprint(kb), actions: actionHints(kb) };
  const policy = await loadAgentPolicy(agentDir, { dataset, config: cfg, client }, agentPolicyFactory, expect);
  assert.deepEqual(policy.hintIds, ['none', 'h-genre', 'h-era', 'h-dir']);
  const picks = await Promise.all(dataset.splits.test.map((s) => policy.pick(s)));
  assert.ok(picks.every((a) => Number.isInteger(a) && a >= 0 && a < 4));

  const res = await runEvaluation({ dataset, client, config: cfg, kb, kbPath: 'kb.json', agent: policy, runDir: join(agentDir, 'eval') });
  assert.deepEqual(res.conditions.map((c) => c.condition), ['no-hint', 'agent', 'sknn']);
  // the evaluation used exactly the greedy actions
  const expected = picks.map((a) => policy.hintIds[a]);
  assert.deepEqual(res.sessions.map((s) => s.byCondition.agent!.hintId), expected);
  assert.deepEqual(res.hints.map((h) => h.picks), [0, 1, 2, 3].map((a) => picks.filter((p) => p === a).length));
  // the training curve is the run's metrics.jsonl: one point per update
  assert.equal(res.training?.length, summary.updates);
  assert.ok(res.training!.some((p) => typeof p.validationReward === 'number'));
  assert.equal(res.run.agentRun, agentDir);
  assert.deepEqual(res.comparisons.map((c) => `${c.a}-${c.b}`), ['agent-no-hint', 'agent-no-hint', 'agent-sknn', 'agent-sknn', 'sknn-no-hint', 'sknn-no-hint']);
  assert.deepEqual(validateResultsFile(res), []);

  // edit one hint's text: the agent is stale and refused before its weights load
  const edited: HintKb = { ...kb, hints: kb.hints.map((h) => (h.id === 'h-era' ? { ...h, text: 'Consider the decade.' } : h)) };
  await assert.rejects(
    loadAgentPolicy(agentDir, { dataset, config: cfg, client }, agentPolicyFactory, { datasetHash: dataset.hash, kbFingerprint: kbFingerprint(edited), actions: actionHints(edited) }),
    (e: unknown) => e instanceof StaleAgentError && /hints edited: h-era/.test((e as Error).message),
  );
  // the run's own encoder settings are used, whatever the current config says
  const other = { ...cfg, encoder: { ...cfg.encoder, dim: 128 } };
  const p2 = await loadAgentPolicy(agentDir, { dataset, config: other, client }, agentPolicyFactory, expect);
  assert.equal(await p2.pick(dataset.splits.test[0]!), picks[0]);
  // an encoder that no longer gives the recorded states is named
  const runConfig = JSON.parse(readFileSync(join(agentDir, 'config.json'), 'utf8'));
  writeFileSync(join(agentDir, 'config.json'), JSON.stringify({ ...runConfig, encoder: { ...runConfig.encoder, dim: 32 } }));
  await assert.rejects(
    loadAgentPolicy(agentDir, { dataset, config: cfg, client }, agentPolicyFactory, expect),
    /manifest\.json \(field "encoder\.id"\): the agent was trained on states from encoder hashing:64 \(64-d\); here it is hashing:32 \(32-d\)/,
  );
});
