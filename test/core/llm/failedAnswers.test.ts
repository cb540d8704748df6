// How the scorers treat a request that failed for good: evaluation records a failed answer
// (target not found, counted), training gives reward 0 without poisoning the reward table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureDataset } from '../sim/simFixture';
import { LlmError } from '../../../src/core/llm/client';
import { emptyUsage, type ChatRequest, type LlmClient } from '../../../src/core/llm/types';
import { defaultConfig } from '../../../src/core/config/defaults';
import { rankWithClient } from '../../../src/core/evaluate/rankWithClient';
import { LlmBandit, RewardCache } from '../../../src/core/agent/llmBandit';
import { NO_HINT } from '../../../src/core/kb/types';
import { summariseCondition } from '../../../src/core/evaluate/aggregate';
import { zeroUsage } from '../../../src/core/evaluate/records';

const ds = fixtureDataset();
const session = ds.splits.train[0]!;

/** Answers the target first, except for prompts containing `failOn`, which fail for good. */
function fakeClient(failOn: string, recordable = true): LlmClient & { asked: number } {
  const target = ds.items.get(session.target)!.title;
  const c = {
    asked: 0,
    async chat(req: ChatRequest) {
      c.asked++;
      if (req.messages.some((m) => m.content.includes(failOn))) throw new LlmError('LLM rank request failed: HTTP 500 (gave up)', 'HTTP 500', 500, 6, true, recordable);
      return { text: `1. ${target}`, cached: false, promptTokens: 1, completionTokens: 1, key: 'k' };
    },
    embed: async () => [],
    usage: emptyUsage,
    describe: () => ({ baseUrl: 'x', model: 'm', embeddingModel: 'e' }),
  };
  return c;
}

test('evaluation: a failed request is a recorded failed answer, scored as target not found and counted', async () => {
  const config = defaultConfig();
  const rank = rankWithClient({ dataset: ds, client: fakeClient('BROKEN HINT'), config });
  const ok = await rank(session, NO_HINT);
  assert.equal(ok.targetRank, 1);
  const failed = await rank(session, { id: 'h-broken', text: 'BROKEN HINT' });
  assert.equal(failed.targetRank, null);
  assert.deepEqual(failed.ranking, []);
  assert.equal(failed.failure?.kind, 'HTTP 500');
  const records = [ok, failed].map((o) => ({ sessionId: session.id, condition: 'x', target: session.target, ranking: o.ranking, targetRank: o.targetRank, ...(o.failure ? { failure: o.failure } : {}) }));
  const r = summariseCondition({ condition: 'x', records, usage: zeroUsage() }, { ks: [1, 10], resamples: 10, seed: 1 });
  assert.equal(r.failures, 1);
  assert.equal(r.metrics['HR@1']!.mean, 0.5);
});

test('evaluation: an error every request would meet (401, no key) still stops', async () => {
  const rank = rankWithClient({ dataset: ds, client: fakeClient('BROKEN HINT', false), config: defaultConfig() });
  await assert.rejects(rank(session, { id: 'h-broken', text: 'BROKEN HINT' }), LlmError);
});

test('training: a failed pair gets reward 0, is asked once per run, and never enters the reward table', async () => {
  const client = fakeClient('BROKEN HINT');
  const cache = new RewardCache();
  const hints = [NO_HINT, { id: 'h-ok', text: 'a fine hint' }, { id: 'h-broken', text: 'BROKEN HINT' }];
  const env = new LlmBandit({ dataset: ds, client, config: defaultConfig() }, [session], [new Float32Array(2)], hints, cache);
  assert.equal(await env.reward(0, 2), 0);
  const asked = client.asked;
  assert.equal(await env.reward(0, 2), 0);
  assert.equal(client.asked, asked, 'not asked again in the same run');
  assert.equal(await env.reward(0, 1), 0); // both answers put the target first
  assert.equal(cache.size, 1, 'only the answered pair is in the reward table');
  assert.equal(env.stats().failedPairs, 1);
  // The next run (a new reward table) asks the failed pair again.
  const next = new LlmBandit({ dataset: ds, client, config: defaultConfig() }, [session], [new Float32Array(2)], hints, new RewardCache());
  await next.reward(0, 2);
  assert.ok(client.asked > asked);
});
