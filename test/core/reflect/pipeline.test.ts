import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { SessionPipeline } from '../../../src/core/reflect/pipeline';
import { CheckNotNeeded, type PreparedSession } from '../../../src/core/reflect/sessionSteps';
import type { ChatRequest, ChatResult, LlmClient } from '../../../src/core/llm/types';
import { DEFAULT_REMOTE_PRICES } from '../../../src/core/llm/prices';

/** A client whose answers arrive when the test says; an aborted request fails as cancelled. */
function heldClient() {
  const pending: { resolve: (r: ChatResult) => void }[] = [];
  let sent = 0;
  let cancelled = 0;
  const asked: string[] = [];
  const client: LlmClient = {
    chat(req: ChatRequest, signal?: AbortSignal): Promise<ChatResult> {
      sent++;
      asked.push(req.messages[0]!.content);
      if (signal?.aborted) {
        cancelled++;
        return Promise.reject(new Error('cancelled'));
      }
      return new Promise((resolve) => pending.push({ resolve: () => resolve({ text: `answer ${req.messages[0]!.content}`, cached: false, key: `k${sent}`, promptTokens: 1, completionTokens: 1 } as ChatResult) }));
    },
    embed: () => Promise.resolve([]),
    usage: () => ({ calls: sent, cacheHits: 0, promptTokens: 0, completionTokens: 0, cost: 0, retries: 0, failures: 0 }) as ReturnType<LlmClient['usage']>,
    describe: () => ({ baseUrl: 'http://127.0.0.1', model: 'm', embeddingModel: 'e' }),
  };
  const tick = () => new Promise((r) => setImmediate(r));
  return { client, pending, asked, sent: () => sent, cancelled: () => cancelled, tick };
}

/** Eight sessions of two requests each (`${index}a`, then `${index}b`), opened ahead as far as `need()` says, `width()` in flight. */
function twoRequestSessions(client: LlmClient, need: () => number, prepared: number[], width: () => number = () => 8): SessionPipeline {
  return new SessionPipeline(
    {
      client, prices: DEFAULT_REMOTE_PRICES, limit: 8,
      concurrency: width,
      aheadLimit: need,
      mayRunAhead: () => true,
      prepare: async (index, c) => {
        await c.chat({ messages: [{ role: 'user', content: `${index}a` }], purpose: 'rank' });
        await c.chat({ messages: [{ role: 'user', content: `${index}b` }], purpose: 'reflect' });
        prepared.push(index);
        return {} as PreparedSession;
      },
    },
    0,
  );
}

test('requests waiting for a slot share the run signal\'s one abort listener; an abort releases them all, and the client fails them as cancelled', { timeout: 20_000 }, async () => {
  const h = heldClient();
  const controller = new AbortController();
  let width = 8;
  const pipeline = new SessionPipeline(
    {
      client: h.client, prices: DEFAULT_REMOTE_PRICES, limit: 8, signal: controller.signal,
      concurrency: () => width,
      mayRunAhead: () => true,
      // Two requests per session: the second waits for a slot once the width has dropped.
      prepare: async (index, c) => {
        await c.chat({ messages: [{ role: 'user', content: `${index}a` }], purpose: 'rank' }, controller.signal);
        await c.chat({ messages: [{ role: 'user', content: `${index}b` }], purpose: 'reflect' }, controller.signal);
        return {} as PreparedSession;
      },
    },
    0,
  );
  const first = pipeline.take(0);
  await h.tick();
  assert.equal(h.sent(), 8, 'eight sessions open, each with its first request in flight');
  width = 1; // as after a run of 429s
  for (const p of h.pending.splice(0)) p.resolve({} as ChatResult);
  await h.tick();
  await h.tick();
  assert.equal(h.sent(), 9, 'one slot: one second request sent, seven waiting');
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1, 'seven waiting requests, one listener on the run signal');
  controller.abort();
  await h.tick();
  assert.equal(h.cancelled(), 7, 'every waiting request was sent at once and failed as cancelled');
  // The one in flight (session 0's, the earliest) answers after the abort.
  for (const p of h.pending.splice(0)) p.resolve({} as ChatResult);
  assert.equal((await first).outcome.ok, true);
  await pipeline.stop();
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'stop() removes the listener');
});

test('a session opened ahead stops at its next request once the target is expected before it; once within reach again it is opened again at once, with the others stopped, not one by one as acceptance reaches each', { timeout: 20_000 }, async () => {
  const h = heldClient();
  let need = 8;
  const prepared: number[] = [];
  const pipeline = twoRequestSessions(h.client, () => need, prepared);
  const first = pipeline.take(0);
  await h.tick();
  assert.equal(h.sent(), 8, 'eight sessions open, each with its first request in flight');
  need = 3; // the replays now expect the target within sessions 0-2
  for (const p of h.pending.splice(0)) p.resolve({} as ChatResult);
  await h.tick();
  await h.tick();
  assert.equal(h.sent(), 11, 'only sessions 0-2 ask their second request; 3-7 stop instead of paying for it');
  for (const p of h.pending.splice(0)) p.resolve({} as ChatResult);
  assert.equal((await first).outcome.ok, true);
  assert.deepEqual(prepared.sort(), [0, 1, 2]);
  // The target was not reached after all: the replays expect more sessions, 3-7 are within reach.
  need = 8;
  const sentBefore = h.sent();
  assert.equal((await pipeline.take(1)).outcome.ok, true);
  await h.tick();
  assert.equal(h.sent() - sentBefore, 5, 'sessions 3-7 opened again at once, each with its first request in flight');
  for (let i = 0; i < 4 && h.pending.length; i++) {
    for (const p of h.pending.splice(0)) p.resolve({} as ChatResult);
    await h.tick();
  }
  assert.deepEqual(prepared.sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
  // Acceptance reaching session 5 takes the run opened again, not a third one.
  assert.equal((await pipeline.take(5)).outcome.ok, true, 'session 5 prepared');
  assert.equal(h.asked.filter((a) => a === '5a').length, 2);
  await pipeline.stop();
});

test('a check whose stillNeeded turns false while it waits for its slot is not sent: it fails with CheckNotNeeded, frees the slot, and the session goes on', { timeout: 20_000 }, async () => {
  const h = heldClient();
  let needed = true;
  const outcomes: string[] = [];
  const pipeline = new SessionPipeline(
    {
      client: h.client, prices: DEFAULT_REMOTE_PRICES, limit: 2,
      concurrency: () => 1,
      mayRunAhead: () => true,
      prepare: async (index, c) => {
        if (index === 0) {
          await c.chat({ messages: [{ role: 'user', content: '0a' }], purpose: 'rank' });
          return {} as PreparedSession;
        }
        // Session 1's check queues behind session 0's request (one slot); the KB comes to
        // repeat its candidate while it waits.
        try {
          await c.child(() => needed).chat({ messages: [{ role: 'user', content: '1 check' }], purpose: 'rank-hint' });
          outcomes.push('sent');
        } catch (err) {
          outcomes.push(err instanceof CheckNotNeeded ? 'not needed' : String(err));
        }
        await c.chat({ messages: [{ role: 'user', content: '1b' }], purpose: 'reflect' });
        return {} as PreparedSession;
      },
    },
    0,
  );
  const first = pipeline.take(0);
  await h.tick();
  assert.deepEqual(h.asked, ['0a'], 'one slot: session 1\'s check waits');
  needed = false;
  for (const p of h.pending.splice(0)) p.resolve({} as ChatResult);
  assert.equal((await first).outcome.ok, true);
  const second = pipeline.take(1);
  for (let i = 0; i < 6; i++) {
    await h.tick();
    for (const p of h.pending.splice(0)) p.resolve({} as ChatResult);
  }
  assert.equal((await second).outcome.ok, true);
  assert.deepEqual(outcomes, ['not needed']);
  assert.deepEqual(h.asked, ['0a', '1b'], 'the check was never sent; the slot it had went to the next request');
  await pipeline.stop();
});

test('a request of a session ahead that waited for a slot is not sent once the target is expected before its session', { timeout: 20_000 }, async () => {
  const h = heldClient();
  let need = 8;
  let width = 8;
  const prepared: number[] = [];
  const pipeline = twoRequestSessions(h.client, () => need, prepared, () => width);
  const first = pipeline.take(0);
  await h.tick();
  assert.equal(h.sent(), 8);
  width = 1;
  for (const p of h.pending.splice(0)) p.resolve({} as ChatResult);
  await h.tick();
  await h.tick();
  assert.equal(h.sent(), 9, 'every second request asked while all eight were within reach: one sent, seven waiting for the slot');
  need = 3; // meanwhile the replays expect the target within sessions 0-2
  for (let i = 0; i < 6; i++) {
    for (const p of h.pending.splice(0)) p.resolve({} as ChatResult);
    await h.tick();
    await h.tick();
  }
  assert.deepEqual(h.asked.filter((a) => a.endsWith('b')), ['0b', '1b', '2b'], 'the waiting requests of sessions 3-7 were not sent when their slot came');
  assert.equal((await first).outcome.ok, true);
  assert.deepEqual(prepared.sort(), [0, 1, 2]);
  await pipeline.stop();
});
