/**
 * estimatePlan counts a plan's embeddings apart from its chat requests: texts, the requests that
 * carry them (256 texts a request online, one batch line per text), their tokens at ~4 characters
 * a token and their cost at llm.embeddingCostPerMTok (0 on a loopback endpoint unless set, the
 * text-embedding-3-small list price on a remote one), batch at half. Figures are hand-checkable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { resolveConfig } from '../../../src/core/config/resolve';
import { loadDataset } from '../../../src/core/data/load';
import { estimatePlan, estimatedCalls, formatEstimate, PlanBuilder, sumEstimates, type RequestPlan } from '../../../src/core/plan';

const DATA = join(__dirname, '../../fixtures/eval-sim');

async function plan(values: Record<string, unknown>): Promise<{ plan: RequestPlan; llm: ReturnType<typeof resolveConfig>['config']['llm'] }> {
  const { config } = resolveConfig({ layers: [{ source: 't', values: { 'dataset.path': DATA, ...values } }] });
  const b = new PlanBuilder({ dataset: await loadDataset(config), config });
  // One chat request of 400 characters (100 tokens), answered in min(maxTokens, topK x 12) = 120.
  b.addChat({ messages: [{ role: 'user', content: 'a'.repeat(400) }] });
  // 300 distinct texts of 40 characters: 10 tokens each, 3,000 in all.
  for (let i = 0; i < 300; i++) b.addEmbedding(`${String(i).padStart(3, '0')}${'x'.repeat(37)}`);
  return { plan: { stage: 'train', requests: b.requests, embeddings: b.embeddings, notes: [] }, llm: config.llm };
}

test('embeddings: texts, requests per executor, tokens and cost at llm.embeddingCostPerMTok', async () => {
  const { plan: p, llm } = await plan({ 'llm.baseUrl': 'https://api.example.com/v1', 'llm.inputCostPerMTok': 1, 'llm.outputCostPerMTok': 2, 'llm.embeddingCostPerMTok': 0.5 });
  const e = estimatePlan(p, llm);
  assert.equal(e.requests, 1);
  assert.equal(e.promptTokens, 100);
  assert.equal(e.completionTokens, 120);
  assert.equal(e.embeddings, 300);
  assert.equal(e.embeddingRequestsOnline, 2, 'ceil(300 / 256)');
  assert.equal(e.embeddingRequestsBatch, 300, 'one batch line per text');
  assert.equal(e.embeddingTokens, 3000);
  // 3,000 x 0.5 / 1e6 = 0.0015; chat (100 x 1 + 120 x 2) / 1e6 = 0.00034.
  assert.ok(Math.abs(e.embeddingCost - 0.0015) < 1e-12);
  assert.ok(Math.abs(e.onlineCost - 0.00184) < 1e-12);
  assert.ok(Math.abs(e.batchCost - 0.00092) < 1e-12);
  assert.equal(estimatedCalls(e, 'online'), 3);
  assert.equal(estimatedCalls(e, 'batch'), 301);
  assert.equal(
    formatEstimate(e),
    'train: 1 LLM requests to make, ~100 prompt + ~120 answer tokens; 300 texts to embed (2 requests online, 300 batch lines), ~3000 embedding tokens ($0.0015 online); cost $0.0018 online, $0.0009 batch',
  );
  // Totals add every field; a plan without embeddings prints no embedding part.
  const t = sumEstimates('total', [e, e]);
  assert.deepEqual([t.embeddings, t.embeddingRequestsOnline, t.embeddingRequestsBatch, t.embeddingTokens], [600, 4, 600, 6000]);
  assert.ok(Math.abs(t.onlineCost - 0.00368) < 1e-12);
  assert.doesNotMatch(formatEstimate(estimatePlan({ ...p, embeddings: [] }, llm)), /embed/);
});

test('embedding price: 0 on a loopback endpoint unless set, 0.02 per million tokens on a remote one', async () => {
  const loop = await plan({ 'llm.baseUrl': 'http://127.0.0.1:9/v1' });
  assert.equal(estimatePlan(loop.plan, loop.llm).embeddingCost, 0);
  const pricedLoop = await plan({ 'llm.baseUrl': 'http://127.0.0.1:9/v1', 'llm.embeddingCostPerMTok': 0.1 });
  assert.ok(Math.abs(estimatePlan(pricedLoop.plan, pricedLoop.llm).embeddingCost - 0.0003) < 1e-12, '3,000 x 0.1 / 1e6');
  const remote = await plan({ 'llm.baseUrl': 'https://api.example.com/v1' });
  assert.ok(Math.abs(estimatePlan(remote.plan, remote.llm).embeddingCost - 0.00006) < 1e-12, '3,000 x 0.02 / 1e6');
});
