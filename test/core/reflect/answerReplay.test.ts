import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allAnswers, exactLatency, redundancyAnswered } from '../../../bench/answerReplay';
import type { ChatPurpose, ChatRequest, ChatResult, LlmClient, UsageStats } from '../../../src/core/llm';

/** A client answering "<purpose>:<first message>" and counting what it was sent. */
function fakeClient(): LlmClient & { sent: ChatRequest[] } {
  const sent: ChatRequest[] = [];
  const usage: UsageStats = { calls: 0, cacheHits: 0, retries: 0, failures: 0, promptTokens: 0, completionTokens: 0, cost: 0 };
  return {
    sent,
    async chat(req) {
      sent.push(req);
      usage.calls++;
      return { text: `${req.purpose}:${req.messages[0]!.content}`, cached: false, promptTokens: 1, completionTokens: 1, key: `k${sent.length}` } satisfies ChatResult;
    },
    embed: async () => [],
    usage: () => ({ ...usage }),
    describe: () => ({ baseUrl: 'http://127.0.0.1/v1', model: 'fake', embeddingModel: 'fake' }),
  };
}

const req = (content: string, purpose: ChatPurpose = 'rank'): ChatRequest => ({ messages: [{ role: 'user', content }], purpose });

test('exactLatency: a kept answer after the latency, again at once as a cache hit, one in flight joined; others go to the inner client', async () => {
  const kept = new Map<string, ChatResult>();
  const first = fakeClient();
  const recording = allAnswers(first, kept);
  await recording.chat(req('a'));
  await recording.chat(req('a', 'rank-hint'));
  assert.equal(kept.size, 2, 'the same messages for another purpose are another request');

  const inner = fakeClient();
  const exact = exactLatency(inner, kept, 30);
  const [x, y] = await Promise.all([exact.chat(req('a')), exact.chat(req('a'))]);
  assert.equal(x.text, 'rank:a');
  assert.deepEqual([x.cached, y.cached], [false, true], 'the second joins the first in flight');
  assert.equal((await exact.chat(req('a'))).cached, true, 'asked again: a cache hit');
  assert.equal((await exact.chat(req('a', 'rank-hint'))).text, 'rank-hint:a');
  assert.equal(inner.sent.length, 0, 'kept answers never reach the inner client');
  assert.equal((await exact.chat(req('b'))).text, 'rank:b');
  assert.equal(inner.sent.length, 1, 'an answer not kept is asked of the inner client');
  // Usage counts the replayed calls (2) beside the inner client's (1).
  assert.equal(exact.usage().calls, 3);
});

test('redundancyAnswered: a kept redundancy answer at once and free; every other request to the inner client', async () => {
  const kept = new Map<string, ChatResult>();
  const recording = allAnswers(fakeClient(), kept);
  await recording.chat(req('q', 'redundancy'));
  await recording.chat(req('r'));
  const inner = fakeClient();
  const floor = redundancyAnswered(inner, kept);
  const res = await floor.chat(req('q', 'redundancy'));
  assert.deepEqual([res.text, res.cached], ['redundancy:q', true]);
  assert.equal(inner.sent.length, 0);
  await floor.chat(req('r'));
  await floor.chat(req('q2', 'redundancy'));
  assert.deepEqual(inner.sent.map((r) => r.messages[0]!.content), ['r', 'q2'], 'a kept rank answer and an unkept question are asked');
});
