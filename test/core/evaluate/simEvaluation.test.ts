/**
 * End to end against the in-process simulated LLM: every condition through the real client,
 * cache and parser on a cut of the hetrec example; then the same evaluation with a warm cache
 * (no calls, identical numbers); then the CLI in a child process.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultConfig, type Re2llmConfig } from '../../../src/core/config/defaults';
import { loadDataset } from '../../../src/core/data/load';
import type { SessionDataset } from '../../../src/core/data/types';
import { createLlmClient, ResponseCache } from '../../../src/core/llm';
import { startSimServer, type SimServer } from '../../../src/core/sim';
import { actionHints, kbFingerprint, type HintKb } from '../../../src/core/kb';
import { runEvaluation } from '../../../src/core/evaluate/runEvaluation';
import { readPredictions } from '../../../src/core/evaluate/output';
import { validateResultsFile } from '../../../src/core/evaluate/resultsSchema';
import type { AgentPolicy } from '../../../src/core/evaluate/agentPolicy';
import { ndcgAtK } from '../../../src/core/metrics';
import { FIXTURES } from './fixtures';

const ROOT = resolve(__dirname, '../../..');
const DATA = join(FIXTURES, 'eval-sim');
// The CLI runs in a scratch folder, so tsx is named by path rather than resolved from the cwd.
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
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
const cacheDir = mkdtempSync(join(tmpdir(), 'eval-sim-cache-'));

function config(): Re2llmConfig {
  const c = defaultConfig();
  c.dataset.path = DATA;
  c.llm.baseUrl = sim.url;
  c.llm.model = 'sim';
  c.llm.cacheDir = cacheDir;
  // Priced explicitly: unset prices cost 0 on loopback, and cost accounting is under test.
  c.llm.inputCostPerMTok = 0.15;
  c.llm.outputCostPerMTok = 0.6;
  c.evaluation.testSample = 0;
  c.evaluation.bootstrap = 200;
  c.evaluation.conditions = ['no-hint', 'random-hint', 'best-fixed-hint', 'agent', 'oracle', 'popularity', 'sknn'];
  return c;
}

before(async () => {
  const c = defaultConfig();
  c.dataset.path = DATA;
  dataset = await loadDataset(c);
  sim = await startSimServer({ dataset, seed: 1 });
});
after(async () => {
  await sim?.close();
});

// A stand-in agent: picks by session index, so every hint is used.
const agent = (): AgentPolicy => ({
  hintIds: actionHints(kb).map((h) => h.id),
  datasetHash: dataset.hash,
  kbFingerprint: kbFingerprint(kb),
  pick: async (s) => dataset.splits.test.findIndex((t) => t.id === s.id) % 4,
});

async function evaluate(runDir: string) {
  const cfg = config();
  const cache = await ResponseCache.open(cacheDir);
  const client = createLlmClient(cfg, { cache });
  const res = await runEvaluation({ dataset, client, config: cfg, kb, kbPath: 'kb.json', agent: agent(), runDir });
  return { res, usage: client.usage() };
}

test('every condition against the simulator; a warm rerun makes no calls and repeats the numbers', async () => {
  const n = dataset.splits.test.length;
  assert.equal(n, 8);
  const dir = mkdtempSync(join(tmpdir(), 'eval-sim-'));
  const cold = await evaluate(join(dir, 'cold'));
  const by = Object.fromEntries(cold.res.conditions.map((c) => [c.condition, c]));
  assert.deepEqual(Object.keys(by), ['no-hint', 'random-hint', 'best-fixed-hint', 'agent', 'oracle', 'popularity', 'sknn']);
  // no-hint: one new answer per session
  assert.equal(by['no-hint']!.usage.calls, n);
  // oracle: |KB| + 1 answers per session, none of which is asked twice; some were cached by earlier conditions
  assert.equal(by.oracle!.usage.calls + by.oracle!.usage.cacheHits, n * 4);
  assert.ok(by.oracle!.usage.cacheHits >= n);
  // best-fixed-hint: chosen on train + validation with "none" allowed: each of those sessions is
  // asked its base prompt and every action (1 + 4 answers), plus the test answers
  const chosenOn = dataset.splits.train.length + dataset.splits.validation.length;
  assert.equal(by['best-fixed-hint']!.usage.calls + by['best-fixed-hint']!.usage.cacheHits, chosenOn * 5 + n);
  assert.equal(cold.res.baselines?.bestFixedHint?.sessions, chosenOn);
  assert.equal(cold.res.baselines?.bestFixedHint?.chosenOn, 'train+validation');
  // with the oracle, random-hint is the exact expectation: every enabled hint asked per session
  assert.equal(cold.res.baselines?.randomHint?.estimate, 'expectation');
  assert.equal(by['random-hint']!.usage.calls + by['random-hint']!.usage.cacheHits, n * 3);
  assert.ok(by['no-hint']!.usage.promptTokens > 0 && by['no-hint']!.usage.cost > 0);
  assert.deepEqual(by.sknn!.usage, { calls: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, cost: 0 });
  // conditions' calls add up to the client's total
  assert.equal(cold.res.conditions.reduce((s, c) => s + c.usage.calls, 0), cold.usage.calls);
  // the oracle is an upper bound of every hinted condition, session by session
  const ndcg = (r: number | null): number => ndcgAtK(r, 10);
  for (const row of cold.res.sessions) {
    for (const c of ['no-hint', 'random-hint', 'best-fixed-hint', 'agent']) assert.ok(ndcg(row.byCondition.oracle!.rank) >= ndcg(row.byCondition[c]!.rank), `${row.sessionId} ${c}`);
  }
  // the simulator answers in clean lists
  assert.equal(by['no-hint']!.rates.parseFailure, 0);
  assert.deepEqual(validateResultsFile(cold.res), []);
  assert.equal(cold.res.hints.reduce((s, h) => s + h.picks, 0), n);
  const preds = await readPredictions(join(dir, 'cold'));
  assert.equal(preds.length, 7 * n);
  assert.ok(preds.filter((p) => p.condition === 'no-hint').every((p) => p.answer && p.stats && p.stats.lines > 0));

  const warm = await evaluate(join(dir, 'warm'));
  assert.equal(warm.usage.calls, 0);
  assert.ok(warm.res.conditions.every((c) => c.usage.calls === 0));
  assert.deepEqual(
    warm.res.conditions.map((c) => [c.condition, c.metrics]),
    cold.res.conditions.map((c) => [c.condition, c.metrics]),
  );
  assert.deepEqual(warm.res.sessions, cold.res.sessions);
});

function cli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src/cli/main.ts'), ...args], { cwd, env: { ...process.env, CI: 'true', OPENAI_API_KEY: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

test('re2llm evaluate: --json document, text table, stale agent refused', async () => {
  const work = mkdtempSync(join(tmpdir(), 'eval-cli-'));
  mkdirSync(join(work, 're2llm'));
  writeFileSync(join(work, 're2llm', 'eval-sim.hints.json'), JSON.stringify(kb));
  writeFileSync(
    join(work, 're2llm.config.json'),
    JSON.stringify({ dataset: { path: DATA, name: 'eval-sim' }, llm: { baseUrl: sim.url, model: 'sim', cacheDir }, evaluation: { bootstrap: 100 } }),
  );
  const json = await cli(['evaluate', '--conditions', 'no-hint,sknn,best-fixed-hint', '--out', 'out1', '--json'], work);
  assert.equal(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as { runDir: string; results: { conditions: { condition: string; n: number }[] } };
  assert.equal(doc.runDir, join(work, 'out1'));
  assert.deepEqual(doc.results.conditions.map((c) => [c.condition, c.n]), [['no-hint', 8], ['best-fixed-hint', 8], ['sknn', 8]]);
  assert.ok(JSON.parse(readFileSync(join(work, 'out1', 'results.json'), 'utf8')).conditions.length === 3);

  const text = await cli(['evaluate', '--conditions', 'no-hint,popularity', '--sample', '4', '--out', 'out2'], work);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /condition\s+n\s+HR@1\s+HR@5\s+HR@10\s+NDCG@5\s+NDCG@10\s+MRR/);
  assert.match(text.stdout, /^popularity\s+4\s/m);
  assert.match(text.stdout, /popularity vs no-hint\s+NDCG@10/);

  const agentDir = join(work, 'agent-run');
  mkdirSync(agentDir);
  writeFileSync(join(agentDir, 'manifest.json'), JSON.stringify({ datasetHash: 'old-hash', kbFingerprint: kbFingerprint(kb), hintIds: ['none', 'h-genre', 'h-era', 'h-gone'] }));
  const stale = await cli(['evaluate', '--agent', agentDir, '--json'], work);
  assert.equal(stale.code, 2);
  const err = JSON.parse(stale.stdout).error as string;
  assert.match(err, /dataset hash: trained on old-hash, evaluating [0-9a-f]+/);
  assert.match(err, /hints added or enabled: h-dir; hints removed or disabled: h-gone/);

  const bad = await cli(['evaluate', '--conditions', 'no-hint,lightgcn'], work);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown condition "lightgcn"/);
});
