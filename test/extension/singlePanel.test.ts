import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SinglePanel } from '../../src/extension/singlePanel';

function fake() {
  const p = { reveals: 0, dispose: () => {}, send: (_m: unknown) => {} };
  return Object.assign(p, {
    reveal: () => void p.reveals++,
    onMessage: (h: (m: unknown) => void) => void (p.send = h),
    onDispose: (h: () => void) => void (p.dispose = h),
  });
}

test('SinglePanel: created once and revealed after; ready only after its page said so; a closed panel is created anew, not ready', () => {
  const made: ReturnType<typeof fake>[] = [];
  const got: unknown[] = [];
  const view = new SinglePanel(() => (made.push(fake()), made.at(-1)!), (m) => void got.push(m));
  view.markReady();
  assert.equal(view.show(), false, 'first show creates');
  assert.equal(view.ready, undefined, 'a ready before the panel existed does not count');
  made[0]!.send('hello');
  assert.deepEqual(got, ['hello'], 'messages reach the host');
  view.markReady();
  assert.equal(view.ready, made[0]);
  assert.equal(view.show(), true, 'later shows reveal');
  assert.equal(made[0]!.reveals, 1);
  assert.equal(made.length, 1);
  made[0]!.dispose();
  assert.equal(view.ready, undefined);
  assert.equal(view.show(), false);
  assert.equal(made.length, 2);
  assert.equal(view.ready, undefined, 'the new panel waits for its own ready');
});

test('SinglePanel: a panel restored after a reload is adopted (not created), waits for its ready, and is revealed by the next show', () => {
  const made: ReturnType<typeof fake>[] = [];
  const got: unknown[] = [];
  const view = new SinglePanel(() => (made.push(fake()), made.at(-1)!), (m) => void got.push(m));
  const restored = fake();
  view.adopt(restored);
  assert.equal(view.ready, undefined, 'not ready before its page says so');
  restored.send('ready?');
  assert.deepEqual(got, ['ready?'], 'its messages reach the host');
  view.markReady();
  assert.equal(view.ready, restored);
  assert.equal(view.show(), true, 'the next open reveals the restored panel');
  assert.equal(restored.reveals, 1);
  assert.equal(made.length, 0, 'no second panel');
  restored.dispose();
  assert.equal(view.ready, undefined);
});
