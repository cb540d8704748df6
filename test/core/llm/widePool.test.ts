import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runWide } from '../../../src/core/llm/widePool';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
}

test('runWide: width is read again when a task ends and when the pool is told it widened', async () => {
  const tasks = Array.from({ length: 6 }, deferred);
  const started: number[] = [];
  let width = 2;
  let widen!: () => void;
  const run = runWide(6, () => width, (i) => (started.push(i), tasks[i]!.promise), (l) => ((widen = l), () => undefined));
  assert.deepEqual(started, [0, 1]);
  width = 4;
  widen();
  assert.deepEqual(started, [0, 1, 2, 3]);
  width = 1;
  tasks[0]!.resolve();
  await tasks[0]!.promise;
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1, 2, 3], 'narrower: nothing new until fewer are out');
  for (const i of [1, 2, 3]) tasks[i]!.resolve();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  tasks[4]!.resolve();
  await new Promise((r) => setImmediate(r));
  tasks[5]!.resolve();
  await run;
  assert.equal(started.length, 6);
});

test('runWide: width 0 still runs one at a time; the first error rejects and starts nothing more; 0 tasks resolve', async () => {
  const order: number[] = [];
  await runWide(3, () => 0, async (i) => void order.push(i));
  assert.deepEqual(order, [0, 1, 2]);
  const started: number[] = [];
  await assert.rejects(
    runWide(5, () => 1, async (i) => {
      started.push(i);
      if (i === 1) throw new Error('task 1 failed');
    }),
    /task 1 failed/,
  );
  assert.deepEqual(started, [0, 1]);
  await runWide(0, () => 4, async () => assert.fail('no task'));
});

test('runWide: after the first error the tasks still out settle before it rejects', async () => {
  const slow = deferred();
  let rejected = false;
  const run = runWide(4, () => 2, async (i) => {
    if (i === 0) throw new Error('task 0 failed');
    await slow.promise;
  }).catch((err: Error) => {
    rejected = true;
    return err;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(rejected, false, 'task 1 is still out');
  slow.resolve();
  assert.match((await run as Error).message, /task 0 failed/);
});
