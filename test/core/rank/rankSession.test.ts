import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankSession, reward, type RankContext } from '../../../src/core/rank/rankSession';
import { defaultConfig } from '../../../src/core/config/defaults';
import { emptyUsage, type ChatRequest, type LlmClient } from '../../../src/core/llm/types';
import { tinyDataset } from './tinyDataset';

/** Answers from a function of the prompt text; records every request; caches like the real client. */
function fakeClient(answer: (prompt: string) => string): LlmClient & { requests: ChatRequest[]; calls: number } {
  const cache = new Map<string, string>();
  const fake = {
    requests: [] as ChatRequest[],
    calls: 0,
    async chat(req: ChatRequest) {
      fake.requests.push(req);
      const key = JSON.stringify(req.messages);
      const hit = cache.get(key);
      if (hit !== undefined) return { text: hit, cached: true, promptTokens: 0, completionTokens: 0, key };
      fake.calls++;
      const text = answer(req.messages.map((m) => m.content).join('\n'));
      cache.set(key, text);
      return { text, cached: false, promptTokens: 1, completionTokens: 1, key };
    },
    async embed(texts: string[]) {
      return texts.map(() => [0]);
    },
    usage: emptyUsage,
    describe: () => ({ baseUrl: 'fake', model: 'fake', embeddingModel: 'fake' }),
  };
  return fake;
}

/** Puts the target third without a hint and first with the hint "think family". */
const answerer = (prompt: string): string =>
  prompt.includes('Hint: think family')
    ? '1. The Addams Family\n2. Heat\n3. Paris, Texas'
    : '1. Heat\n2. Paris, Texas\n3. The Addams Family\n4. Titanic';

function ctx(client: LlmClient): RankContext {
  return { dataset: tinyDataset(), client, config: defaultConfig() };
}

test('rankSession builds the prompt, asks once, parses with config.parse and scores NDCG@topK', async () => {
  const client = fakeClient(answerer);
  const session = tinyDataset().splits.train[0]!;
  const out = await rankSession(ctx(client), session);
  assert.equal(client.requests.length, 1);
  assert.equal(client.requests[0]!.purpose, 'rank');
  assert.match(out.prompt, /- Mr\. Smith Goes to Washington/);
  assert.doesNotMatch(out.prompt, /Hint:/);
  assert.equal(out.parsed.targetRank, 3); // "The Addams Family" ~ "Addams Family, The" (normalised, default fuzzy mode)
  assert.equal(out.parsed.hallucinated, 1); // Titanic
  assert.equal(out.ndcg, 0.5); // 1/log2(3+1)
  assert.equal(out.cached, false);
});

test('exact mode from the config reproduces the authors: "The X" is not "X, The"', async () => {
  const c = ctx(fakeClient(answerer));
  c.config.parse.mode = 'exact';
  const out = await rankSession(c, c.dataset.splits.train[0]!);
  assert.equal(out.parsed.targetRank, null);
  assert.equal(out.ndcg, 0);
});

test('a hint adds its line, uses purpose rank-hint, and the reward is the NDCG difference', async () => {
  const client = fakeClient(answerer);
  const c = ctx(client);
  const session = c.dataset.splits.train[0]!;
  const hinted = await rankSession(c, session, 'think family');
  assert.match(hinted.prompt, /Hint: think family/);
  assert.equal(client.requests.at(-1)!.purpose, 'rank-hint');
  assert.equal(hinted.ndcg, 1);
  // reward = NDCG(with) - NDCG(without) = 1 - 1/2; the hinted answer is now cached.
  assert.equal(await reward(c, session, 'think family'), 0.5);
  assert.equal(client.calls, 2);
  assert.equal(await reward(c, session, 'think family'), 0.5);
  assert.equal(client.calls, 2, 'a warm cache makes no new calls');
});

test('no hint (or a blank one) has reward 0 and makes no call', async () => {
  const client = fakeClient(answerer);
  const c = ctx(client);
  assert.equal(await reward(c, c.dataset.splits.train[0]!), 0);
  assert.equal(await reward(c, c.dataset.splits.train[0]!, '   '), 0);
  assert.equal(client.requests.length, 0);
  // A blank hint is the base prompt.
  await rankSession(c, c.dataset.splits.train[0]!, '  ');
  assert.equal(client.requests[0]!.purpose, 'rank');
});

test('the abort signal is passed to the client', async () => {
  let seen: AbortSignal | undefined;
  const client = fakeClient(answerer);
  const chat = client.chat.bind(client);
  client.chat = (req, signal) => {
    seen = signal;
    return chat(req, signal);
  };
  const ac = new AbortController();
  await rankSession(ctx(client), tinyDataset().splits.train[0]!, undefined, ac.signal);
  assert.equal(seen, ac.signal);
});
