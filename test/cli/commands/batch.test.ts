/**
 * `re2llm batch plan` sizes the stages from the cache's point of view, priced explicitly;
 * `train` and `evaluate` refuse a plan past --max-calls before they spend anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const DATA = join(ROOT, 'test', 'fixtures', 'eval-sim');

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('batch plan: the full reward table at online and half price; train/evaluate refuse a plan past --max-calls', () => {
  const dir = mkdtempSync(join(tmpdir(), 'batch-cli-'));
  const kb = join(dir, 'kb.hints.json');
  writeFileSync(kb, JSON.stringify({ version: 1, hints: [{ id: 'h-a', text: 'Think about genres.' }, { id: 'h-b', text: 'Think about eras.' }] }));
  // An unused loopback port: nothing is called, and the prices are set explicitly.
  const sets = ['--set', `dataset.path=${DATA}`, '--set', 'llm.baseUrl=http://127.0.0.1:9/v1', '--set', `output.kbPath=${kb}`, '--set', 'llm.inputCostPerMTok=0.15', '--set', 'llm.outputCostPerMTok=0.6', '--set', `llm.cacheDir=${join(dir, 'cache')}`, '--set', `output.runsDir=${join(dir, 'runs')}`];
  const r = cli(['batch', 'plan', 'train', '--json', ...sets]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { stages: { stage: string; requests: number; onlineCost: number; batchCost: number }[] };
  const train = doc.stages[0]!;
  assert.equal(train.stage, 'train');
  assert.equal(train.requests, (20 + 6) * 3, '(train + validation sessions) x (KB + no hint)');
  assert.ok(train.onlineCost > 0);
  assert.ok(Math.abs(train.batchCost - train.onlineCost / 2) < 1e-12);

  const t = cli(['train', '--max-calls', '10', ...sets]);
  assert.notEqual(t.code, 0);
  assert.match(t.stderr, /train: the plan needs 78 LLM calls, more than --max-calls 10/);
  const e = cli(['evaluate', '--max-calls', '1', '--conditions', 'no-hint', ...sets]);
  assert.notEqual(e.code, 0);
  assert.match(e.stderr, /evaluate: the plan needs \d+ LLM calls, more than --max-calls 1/);
});

test('batch plan with encoder.kind=openai: the embeddings apart (texts, requests online and batch, tokens, cost) and in the total', () => {
  const dir = mkdtempSync(join(tmpdir(), 'batch-cli-emb-'));
  const kb = join(dir, 'kb.hints.json');
  writeFileSync(kb, JSON.stringify({ version: 1, hints: [{ id: 'h-a', text: 'Think about genres.' }] }));
  const sets = ['--set', `dataset.path=${DATA}`, '--set', 'llm.baseUrl=http://127.0.0.1:9/v1', '--set', `output.kbPath=${kb}`, '--set', 'encoder.kind=openai', '--set', 'llm.inputCostPerMTok=0', '--set', 'llm.outputCostPerMTok=0', '--set', 'llm.embeddingCostPerMTok=1000', '--set', `llm.cacheDir=${join(dir, 'cache')}`, '--set', `output.runsDir=${join(dir, 'runs')}`];
  const r = cli(['batch', 'plan', 'train', '--json', ...sets]);
  assert.equal(r.code, 0, r.stderr);
  type E = { stage: string; embeddings: number; embeddingRequestsOnline: number; embeddingRequestsBatch: number; embeddingTokens: number; embeddingCost: number; onlineCost: number; batchCost: number };
  const doc = JSON.parse(r.stdout) as { stages: E[]; total: E };
  const train = doc.stages[0]!;
  assert.ok(train.embeddings > 0, 'the encoder\'s texts are planned');
  assert.equal(train.embeddingRequestsOnline, Math.ceil(train.embeddings / 256));
  assert.equal(train.embeddingRequestsBatch, train.embeddings);
  assert.ok(train.embeddingTokens >= train.embeddings);
  // Chat is free here, so the whole cost is the embeddings' (priced explicitly on a loopback endpoint).
  assert.ok(Math.abs(train.embeddingCost - (train.embeddingTokens * 1000) / 1e6) < 1e-9);
  assert.ok(Math.abs(train.onlineCost - train.embeddingCost) < 1e-9);
  assert.ok(Math.abs(train.batchCost - train.embeddingCost / 2) < 1e-9);
  assert.equal(doc.total.embeddings, train.embeddings);
  assert.equal(doc.total.embeddingTokens, train.embeddingTokens);
  const text = cli(['batch', 'plan', 'train', ...sets]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`train: \\d+ LLM requests to make, .*; ${train.embeddings} texts to embed \\(${train.embeddingRequestsOnline} requests online, ${train.embeddings} batch lines\\), ~${train.embeddingTokens} embedding tokens`));
  assert.match(text.stdout, /total: .* texts to embed/);
});
