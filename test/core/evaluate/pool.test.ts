import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapPool } from '../../../src/core/evaluate/pool';
import { CancelledError } from '../../../src/core/util/log';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('mapPool: results in input order whatever order tasks end in; never more than the width out', async () => {
  let out = 0;
  let most = 0;
  const res = await mapPool([5, 1, 4, 2, 3], 2, async (x, i) => {
    most = Math.max(most, ++out);
    await new Promise((r) => setTimeout(r, x));
    out--;
    return x * 10 + i;
  });
  assert.deepEqual(res, [50, 11, 42, 23, 34]);
  assert.equal(most, 2);
});

test('mapPool: a width read again when told it widened (a request backing off frees its place)', async () => {
  const gates = Array.from({ length: 4 }, deferred);
  const started: number[] = [];
  let width = 1;
  let widen!: () => void;
  const run = mapPool([0, 1, 2, 3], { width: () => width, onWiden: (l) => ((widen = l), () => undefined) }, async (i) => (started.push(i), await gates[i]!.promise, i));
  await tick();
  assert.deepEqual(started, [0]);
  width = 3;
  widen();
  await tick();
  assert.deepEqual(started, [0, 1, 2]);
  for (const g of gates) g.resolve();
  assert.deepEqual(await run, [0, 1, 2, 3]);
});

test('mapPool: the first error starts nothing more and is rethrown after the running tasks settle; a cancelled signal rejects with CancelledError', async () => {
  const started: number[] = [];
  const slow = deferred();
  let settled = false;
  const run = mapPool([0, 1, 2, 3], 2, async (i) => {
    started.push(i);
    if (i === 0) throw new Error('item 0 failed');
    await slow.promise;
    settled = true;
  });
  await tick();
  slow.resolve();
  await assert.rejects(run, /item 0 failed/);
  assert.equal(settled, true, 'rejected only after item 1 settled');
  assert.deepEqual(started, [0, 1]);
  const signal = { aborted: true };
  await assert.rejects(mapPool([1, 2], 2, async (x) => x, signal), (err) => err instanceof CancelledError);
});
