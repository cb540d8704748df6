/**
 * PaidAhead (src/core/llm/paidAhead.ts): answers paid ahead of a stage (asked online, or a batch's
 * lines) are charged once, to the first read, as the calls they were; the charged totals never
 * count one twice; an answer that was in the cache before the fill, or whose request failed, is
 * not charged to anyone by the ledger.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureDataset, rankMessages } from '../sim/simFixture';
import { startSimServer, type SimServer } from '../../../src/core/sim/server';
import { createLlmClient, LlmError } from '../../../src/core/llm/client';
import { ResponseCache } from '../../../src/core/llm/cache';
import { PaidAhead } from '../../../src/core/llm/paidAhead';
import { defaultConfig } from '../../../src/core/config/defaults';
import type { ChatRequest, LlmClient, UsageStats } from '../../../src/core/llm/types';

const ds = fixtureDataset();
const PRICES = { inputPerMTok: 1, outputPerMTok: 2, embeddingPerMTok: 0 };
let sim: SimServer;
after(async () => sim?.close());

async function stageClient(cacheDir = mkdtempSync(join(tmpdir(), 'paid-ahead-'))): Promise<LlmClient> {
  sim ??= await startSimServer({ dataset: ds, seed: 1 });
  const c = defaultConfig();
  c.llm = { ...c.llm, baseUrl: sim.url, model: 're2llm-sim', inputCostPerMTok: PRICES.inputPerMTok, outputCostPerMTok: PRICES.outputPerMTok };
  const cache = await ResponseCache.open(cacheDir);
  return createLlmClient(c, { apiKey: 'sk-test', cache });
}

/** Distinct requests: one session, a different hint each. */
const ask = (i: number): ChatRequest => ({ messages: rankMessages(ds, ds.splits.train[0]!, `Hint number ${i}.`), purpose: 'rank' });

function diff(a: UsageStats, b: UsageStats): { calls: number; cacheHits: number; tokens: number; cost: number } {
  return { calls: a.calls - b.calls, cacheHits: a.cacheHits - b.cacheHits, tokens: a.promptTokens + a.completionTokens - b.promptTokens - b.completionTokens, cost: a.cost - b.cost };
}

test('an answer asked ahead is charged to its first read as the call it was, later reads are cache hits', async () => {
  const client = await stageClient();
  const paid = new PaidAhead(client, PRICES);
  const fill = paid.recording();
  const stage = paid.claiming();
  const asked = [await fill.chat(ask(0)), await fill.chat(ask(1))];
  assert.equal(paid.unreadCount, 2);
  assert.ok(asked.every((r) => !r.cached));
  // Nothing read yet: the stage's totals leave the two answers out (they are counted once, when read).
  const start = paid.charged();
  assert.equal(start.calls, client.usage().calls - 2);

  // The views' own totals are the client's: what the run has spent so far.
  assert.deepEqual(stage.usage(), client.usage());
  const first = await stage.chat(ask(0));
  assert.equal(first.cached, false, 'the first read is the call the fill made for it');
  assert.equal(first.text, asked[0]!.text);
  const afterFirst = paid.charged();
  const tokens0 = asked[0]!.promptTokens + asked[0]!.completionTokens;
  const d = diff(afterFirst, start);
  assert.deepEqual({ calls: d.calls, cacheHits: d.cacheHits, tokens: d.tokens }, { calls: 1, cacheHits: 0, tokens: tokens0 });
  assert.ok(Math.abs(d.cost - (asked[0]!.promptTokens * 1 + asked[0]!.completionTokens * 2) / 1e6) < 1e-12);

  const again = await stage.chat(ask(0));
  assert.equal(again.cached, true);
  assert.deepEqual(diff(paid.charged(), afterFirst), { calls: 0, cacheHits: 1, tokens: 0, cost: 0 });

  // A request the fill never asked: the stage asks it, a plain call.
  const before = paid.charged();
  const own = await stage.chat(ask(2));
  assert.equal(own.cached, false);
  assert.equal(diff(paid.charged(), before).calls, 1);
  // The answer asked ahead and never read is still left out of the stage's totals, and only it.
  assert.equal(paid.unreadCount, 1);
  assert.equal(paid.charged().calls, client.usage().calls - 1);
  assert.equal(paid.charged().cacheHits, client.usage().cacheHits - 1);
});

test('an answer already in the cache before the fill is a cache hit for the stage, not a call', async () => {
  const client = await stageClient();
  await client.chat(ask(3)); // an earlier run's answer
  const paid = new PaidAhead(client, PRICES);
  const again = await paid.recording().chat(ask(3));
  assert.equal(again.cached, true);
  assert.equal(paid.unreadCount, 0);
  const stage = paid.claiming();
  const before = paid.charged();
  assert.equal((await stage.chat(ask(3))).cached, true);
  assert.deepEqual(diff(paid.charged(), before), { calls: 0, cacheHits: 1, tokens: 0, cost: 0 });
});

test('a request that failed in the fill records nothing: the stage asks it again and pays for it itself', async () => {
  const client = await stageClient();
  let failNext = true;
  const flaky: LlmClient = {
    ...client,
    chat: async (req, signal) => {
      if (failNext) {
        failNext = false;
        throw new LlmError('simulated failure', 'server', 500, 1, false);
      }
      return client.chat(req, signal);
    },
    usage: () => client.usage(),
    describe: () => client.describe(),
    embed: (t, s) => client.embed(t, s),
  };
  const paid = new PaidAhead(flaky, PRICES);
  await assert.rejects(paid.recording().chat(ask(4)), LlmError);
  assert.equal(paid.unreadCount, 0);
  const stage = paid.claiming();
  const before = paid.charged();
  const res = await stage.chat(ask(4));
  assert.equal(res.cached, false);
  assert.equal(diff(paid.charged(), before).calls, 1);
});

test('a batch line recorded as filled is charged to its first read at what the batch cost: the client never counted it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'paid-ahead-batch-'));
  const client = await stageClient(dir);
  const paid = new PaidAhead(client, PRICES);
  const stage = paid.claiming();
  // The "batch": another client puts the answer in the same store, as a batch import does.
  const line = await (await stageClient(dir)).chat(ask(7));
  paid.recordFilled([{ key: line.key, promptTokens: 100, completionTokens: 20, cost: 0.5 }]);
  const before = paid.charged();
  const spent = client.usage();
  const read = await stage.chat(ask(7));
  assert.equal(read.text, line.text);
  assert.equal(read.cached, false, 'the first read after the fill is the call the batch made');
  assert.deepEqual(diff(paid.charged(), before), { calls: 1, cacheHits: 0, tokens: 120, cost: 0.5 });
  // The client itself only read its cache: the views report what it spent.
  assert.deepEqual(diff(client.usage(), spent), { calls: 0, cacheHits: 1, tokens: 0, cost: 0 });
  assert.deepEqual(stage.usage(), client.usage());
  // A second read is a cache hit.
  const again = paid.charged();
  await stage.chat(ask(7));
  assert.deepEqual(diff(paid.charged(), again), { calls: 0, cacheHits: 1, tokens: 0, cost: 0 });
});
