import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveLimit } from '../../../src/core/llm/adaptiveLimit';

test('AIMD: a 429 halves the limit once per round, answers add 1/limit each, up to the maximum', () => {
  let now = 1000;
  const l = new AdaptiveLimit({ max: 8, now: () => now });
  assert.equal(l.limit, 8);
  const sentBefore = now - 10;
  now += 1;
  l.rateLimited(sentBefore);
  assert.equal(l.limit, 4);
  l.rateLimited(sentBefore); // same round: sent under the old limit
  assert.equal(l.limit, 4);
  now += 1;
  l.rateLimited(now); // a new round
  assert.equal(l.limit, 2);
  for (let i = 0; i < 2; i++) l.succeeded(); // 2 + 1/2 + 1/2.5
  assert.equal(l.limit, 2);
  for (let i = 0; i < 3; i++) l.succeeded();
  assert.equal(l.limit, 3);
  for (let i = 0; i < 200; i++) l.succeeded();
  assert.equal(l.limit, 8);
  for (let i = 0; i < 10; i++) l.rateLimited(now + 100 + i);
  assert.equal(l.limit, 1, 'never below 1');
});

test('Retry-After holds recovery until the server said it would accept more', () => {
  let now = 0;
  const l = new AdaptiveLimit({ max: 4, now: () => now });
  l.rateLimited(-1, 5000);
  assert.equal(l.limit, 2);
  for (let i = 0; i < 20; i++) l.succeeded();
  assert.equal(l.limit, 2);
  now = 5001;
  for (let i = 0; i < 20; i++) l.succeeded();
  assert.equal(l.limit, 4);
});

test('slots: waiters are served in order as slots free up; an aborted waiter leaves the queue', async () => {
  const l = new AdaptiveLimit({ max: 1 });
  await l.acquire();
  const order: number[] = [];
  const ac = new AbortController();
  const a = l.acquire().then(() => order.push(1));
  const b = l.acquire(ac.signal).then(() => order.push(2), () => order.push(-2));
  const c = l.acquire().then(() => order.push(3));
  ac.abort();
  await b;
  l.release();
  await a;
  l.release();
  await c;
  assert.deepEqual(order, [-2, 1, 3]);
  assert.equal(l.active, 1);
});
