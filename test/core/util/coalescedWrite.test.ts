import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoalescedWrite } from '../../../src/core/util/coalescedWrite';

/** A write that records the state it wrote and finishes only when released. */
function gatedWriter(state: { value: number }) {
  const written: number[] = [];
  let running = 0;
  let maxRunning = 0;
  const gates: (() => void)[] = [];
  const write = async (): Promise<void> => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    const value = state.value;
    await new Promise<void>((resolve) => gates.push(resolve));
    written.push(value);
    running--;
  };
  const release = async (): Promise<void> => {
    while (!gates.length) await new Promise((r) => setImmediate(r));
    gates.shift()!();
  };
  return { write, written, release, maxRunning: () => maxRunning, pending: () => gates.length };
}

test('writes asked during a write run once after it, with the state then; never two at once', { timeout: 20_000 }, async () => {
  const state = { value: 1 };
  const w = gatedWriter(state);
  const saver = new CoalescedWrite(w.write);
  saver.soon();
  state.value = 2;
  saver.soon();
  state.value = 3;
  saver.soon();
  await w.release(); // the first write (state 1)
  await w.release(); // one more for the two asked meanwhile, with the state as it is then
  await saver.flushed();
  assert.deepEqual(w.written, [1, 3]);
  assert.equal(w.maxRunning(), 1);
});

test('now() waits for the write under way, then writes the latest state', { timeout: 20_000 }, async () => {
  const state = { value: 1 };
  const w = gatedWriter(state);
  const saver = new CoalescedWrite(w.write);
  saver.soon();
  state.value = 5;
  const now = saver.now();
  await w.release();
  await w.release();
  await now;
  assert.deepEqual(w.written, [1, 5]);
  assert.equal(w.maxRunning(), 1);
});

test('a background write that fails is thrown by the next flushed() or now(), once; settled() keeps it', { timeout: 20_000 }, async () => {
  let fail = true;
  let writes = 0;
  const saver = new CoalescedWrite(async () => {
    writes++;
    await new Promise((r) => setImmediate(r));
    if (fail) throw new Error('disk full');
  });
  saver.soon();
  await saver.settled(); // does not throw, keeps the failure
  await assert.rejects(saver.flushed(), /disk full/);
  await saver.flushed(); // reported once
  saver.soon();
  await saver.settled();
  fail = false;
  await assert.rejects(saver.now(), /disk full/); // the earlier failure first, without writing
  assert.equal(writes, 2);
  await saver.now();
  assert.equal(writes, 3);
});

test('background writes gather: soon()s within the wait make one write of the latest state; flushed() and now() end the wait', { timeout: 20_000 }, async () => {
  const state = { value: 1 };
  const written: number[] = [];
  // A wait far longer than the test's timeout: only a woken wait lets this test finish.
  const saver = new CoalescedWrite(async () => {
    written.push(state.value);
  }, 3_600_000);
  saver.soon();
  state.value = 2;
  saver.soon();
  state.value = 3;
  saver.soon();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(written, [], 'a background write waits for more state');
  await saver.flushed();
  assert.deepEqual(written, [3], 'three soon()s in the wait: one write, of the state when it ran');
  state.value = 4;
  saver.soon();
  await saver.now();
  assert.deepEqual(written, [3, 4, 4], 'now() wakes the waiting write, then writes itself');
  saver.soon();
  await saver.settled();
  assert.equal(written.length, 4);
});
