import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveLimit } from '../../../src/core/llm/adaptiveLimit';
import { Rng } from '../../../src/core/util/rng';

type Outcome = 'ok' | '429' | '500';

/**
 * Drives the limit as the client does, one round trip at a time: fill every free slot, then
 * settle all of them with `outcome`. Returns the limit seen at each round trip.
 */
async function drive(l: AdaptiveLimit, trips: number, outcome: (i: number) => Outcome): Promise<number[]> {
  const seen: number[] = [];
  let i = 0;
  for (let t = 0; t < trips; t++) {
    seen.push(l.limit);
    const attempts: number[] = [];
    while (l.active < l.limit) attempts.push(await l.acquire());
    for (const a of attempts) {
      const o = outcome(i++);
      l.release(a, o === 'ok' ? 'answered' : o === '429' ? 'rate-limited' : 'failed');
    }
  }
  return seen;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

test('an endpoint that refuses everything halves the limit every round, down to 1 and never below', async () => {
  const l = new AdaptiveLimit({ max: 64 });
  const seen = await drive(l, 10, () => '429');
  assert.deepEqual(seen.slice(0, 7), [64, 32, 16, 8, 4, 2, 1]);
  assert.equal(l.limit, 1);
  assert.ok(l.refusedFraction > 0.99);
});

test('answers grow the limit back by about one per round, up to the maximum and not beyond', async () => {
  const l = new AdaptiveLimit({ max: 16 });
  await drive(l, 6, () => '429');
  assert.equal(l.limit, 1);
  const seen = await drive(l, 60, () => 'ok');
  for (let t = 1; t < seen.length; t++) assert.ok(seen[t]! - seen[t - 1]! <= 1, `round ${t}: ${seen[t - 1]} -> ${seen[t]}`);
  assert.equal(l.limit, 16);
  assert.ok(seen.indexOf(16) > 10, 'growth is additive, not a jump back');
});

test('a steady one-in-five 429 that does not depend on the load keeps the limit near its maximum (halving on every 429 held it at 1)', async () => {
  // Equilibrium: +1 per round against a tenth of the limit per round with a 429, about 8 (DCTCP's trade-off).
  for (const [max, floor] of [[4, 3], [16, 6]] as const) {
    const rng = new Rng(`limit-test/${max}`);
    const l = new AdaptiveLimit({ max });
    const seen = await drive(l, 400, () => {
      const u = rng.next();
      return u < 0.2 ? '429' : u < 0.4 ? '500' : 'ok';
    });
    const steady = mean(seen.slice(100));
    assert.ok(steady >= floor, `max ${max}: mean limit ${steady.toFixed(2)}`);
    assert.ok(Math.abs(l.refusedFraction - 0.2) < 0.15, `estimated refused fraction ${l.refusedFraction}`);
  }
});

test('a rate limit that starts mid-run brings the limit down within a few rounds', async () => {
  const l = new AdaptiveLimit({ max: 32 });
  const rng = new Rng('limit-test/onset');
  await drive(l, 100, () => (rng.next() < 0.05 ? '429' : 'ok'));
  assert.ok(l.limit >= 24, `after a quiet start: ${l.limit}`);
  const seen = await drive(l, 12, () => '429');
  assert.ok(seen.findIndex((x) => x <= 4) <= 8, `limits: ${seen.join(' ')}`);
});

test('429s from attempts sent before the round began are one signal, not many', async () => {
  const l = new AdaptiveLimit({ max: 8 });
  const early = [];
  for (let i = 0; i < 8; i++) early.push(await l.acquire());
  for (const a of early.slice(0, 7)) l.release(a, 'rate-limited');
  assert.equal(l.limit, 8, 'the round is not over');
  l.release(early[7]!, 'rate-limited');
  assert.equal(l.limit, 4, 'one round of 429s: one halving');
  // A straggler of the old round (sent before the new round began) changes nothing.
  const l2 = new AdaptiveLimit({ max: 4 });
  const a = [await l2.acquire(), await l2.acquire(), await l2.acquire(), await l2.acquire()];
  l2.release(a[0]!, 'answered');
  const late = await l2.acquire();
  for (const x of [a[1]!, a[2]!, late]) l2.release(x, 'rate-limited');
  assert.equal(l2.limit, 2, 'a round of four attempts, three of them refused');
  l2.release(a[3]!, 'rate-limited');
  assert.equal(l2.limit, 2, 'an attempt of the finished round does not start another decrease');
});

test('with fewer requests than the limit, a round ends when all it sent are back', async () => {
  const l = new AdaptiveLimit({ max: 16 });
  const sent = [await l.acquire(), await l.acquire(), await l.acquire()];
  for (const a of sent) l.release(a, 'rate-limited');
  assert.equal(l.limit, 8);
  const one = await l.acquire();
  l.release(one, 'failed');
  assert.equal(l.limit, 8, 'a 500 or a timeout says nothing about load');
});

test('slots: waiters are served in order as slots free up; an aborted waiter leaves the queue', async () => {
  const l = new AdaptiveLimit({ max: 1 });
  const first = await l.acquire();
  const order: number[] = [];
  const ac = new AbortController();
  const a = l.acquire().then(() => order.push(1));
  const b = l.acquire(ac.signal).then(() => order.push(2), () => order.push(-2));
  const c = l.acquire().then(() => order.push(3));
  ac.abort();
  await b;
  l.release(first, 'answered');
  await a;
  l.release(first + 1, 'answered');
  await c;
  assert.deepEqual(order, [-2, 1, 3]);
  assert.equal(l.active, 1);
});
