import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AgentRanker,
  BestFixedHintRanker,
  NoHintRanker,
  OracleRanker,
  RandomHintRanker,
  selectBestFixedHint,
} from '../../../src/core/evaluate/llmRankers';
import type { AgentPolicy } from '../../../src/core/evaluate/agentPolicy';
import { loadEvalFixture } from './fixtures';
import { fakeRank } from './fakeRank';

const ds = loadEvalFixture();
const [s1, s2] = ds.splits.test as [typeof ds.splits.test[0], typeof ds.splits.test[0]];
const none = { id: 'none', text: '' };
const A = { id: 'h-a', text: 'Think about the era.' };
const B = { id: 'h-b', text: 'Think about the genre.' };
const C = { id: 'h-c', text: 'Think about the director.' };

test('no-hint asks with action 0 only', async () => {
  const rw = fakeRank({ s1: { none: 2 } });
  const out = await new NoHintRanker(rw).rank(s1);
  assert.equal(out.targetRank, 2);
  assert.equal(out.hintId, 'none');
  assert.deepEqual(rw.calls, ['s1/none']);
});

test('random-hint: seeded per session id, never "none", roughly uniform', async () => {
  const rw = fakeRank({});
  const r = new RandomHintRanker(rw, [A, B, C], 7);
  assert.equal(r.hintFor(s1).id, new RandomHintRanker(rw, [A, B, C], 7).hintFor(s1).id); // same seed, same draw
  const counts: Record<string, number> = {};
  for (let i = 0; i < 3000; i++) {
    const h = r.hintFor({ ...s1, id: `x${i}` });
    counts[h.id] = (counts[h.id] ?? 0) + 1;
  }
  assert.deepEqual(Object.keys(counts).sort(), ['h-a', 'h-b', 'h-c']);
  for (const c of Object.values(counts)) assert.ok(c > 900 && c < 1100, JSON.stringify(counts));
  const out = await r.rank(s2);
  assert.equal(out.hintId, r.hintFor(s2).id);
  assert.throws(() => new RandomHintRanker(rw, [], 1), /at least one enabled hint/);
});

test('best-fixed-hint: best mean validation reward (hand-computed), ties to the earlier hint', async () => {
  // v1 base absent; v2 base rank 1.
  // A: v1 rank 1 (+1), v2 absent (-1) -> mean 0
  // B: v1 rank 3 (+0.5), v2 rank 1 (0) -> mean 0.25
  // C: v1 rank 3 (+0.5), v2 rank 1 (0) -> mean 0.25 (tie with B: B wins, earlier)
  const rw = fakeRank({ v1: { 'h-a': 1, 'h-b': 3, 'h-c': 3 }, v2: { none: 1, 'h-b': 1, 'h-c': 1 } });
  const sel = await selectBestFixedHint(rw, [A, B, C], ds.splits.validation, 10, 2);
  assert.equal(sel.hint.id, 'h-b');
  assert.deepEqual(sel.meanRewards, { 'h-a': 0, 'h-b': 0.25, 'h-c': 0.25 });
  assert.equal(sel.sessions, 2);
  // never looks at test sessions while choosing
  assert.ok(rw.calls.every((c) => c.startsWith('v')));

  const ranker = new BestFixedHintRanker(rw, [A, B, C], ds.splits.validation, 10, 2);
  await assert.rejects(ranker.rank(s1), /fit\(\) must run before rank\(\)/);
  await ranker.fit(ds.splits.train);
  assert.equal((await ranker.rank(s1)).hintId, 'h-b');
  await assert.rejects(selectBestFixedHint(rw, [A], [], 10, 1), /needs validation sessions/);
});

test('agent: the policy picks the action; out-of-range picks fail loudly', async () => {
  const rw = fakeRank({ s1: { 'h-b': 1 } });
  const policy: AgentPolicy = { hintIds: ['none', 'h-a', 'h-b'], datasetHash: ds.hash, kbFingerprint: 'f', pick: async (s) => (s.id === 's1' ? 2 : 0) };
  const r = new AgentRanker(rw, policy, [none, A, B]);
  assert.deepEqual([(await r.rank(s1)).hintId, (await r.rank(s1)).targetRank], ['h-b', 1]);
  assert.equal((await r.rank(s2)).hintId, 'none');
  const bad = new AgentRanker(rw, { ...policy, pick: async () => 3 }, [none, A, B]);
  await assert.rejects(bad.rank(s1), /agent picked action 3, outside 0\.\.2/);
});

test('oracle: tries every action, keeps the best NDCG, ties go to the lower action', async () => {
  const rw = fakeRank({ s1: { none: 4, 'h-a': 2, 'h-b': 2 }, s2: { none: 1, 'h-a': 1 } });
  const o = new OracleRanker(rw, [none, A, B], 10);
  const out1 = await o.rank(s1);
  assert.equal(out1.hintId, 'h-a');
  assert.equal(out1.targetRank, 2);
  assert.deepEqual(out1.tried, { none: 1 / Math.log2(5), 'h-a': 1 / Math.log2(3), 'h-b': 1 / Math.log2(3) });
  assert.equal((await o.rank(s2)).hintId, 'none');
  assert.equal(rw.calls.length, 6); // |KB| + 1 answers per session
});

test('selectBestFixedHint ranks at a pool width read again when it widens (a request waiting to retry frees its place)', async () => {
  const inner = fakeRank({ v1: { 'h-a': 1 }, v2: { none: 1 } });
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const started: string[] = [];
  let width = 1;
  let widen!: () => void;
  const rw: typeof inner = Object.assign(
    async (s: Parameters<typeof inner>[0], h: Parameters<typeof inner>[1]) => {
      started.push(`${s.id}/${h.id}`);
      if (started.length === 1) {
        // The first request backs off: the width grows by one meanwhile.
        width = 2;
        widen();
        await gate;
      }
      return inner(s, h);
    },
    { calls: inner.calls },
  );
  const sel = selectBestFixedHint(rw, [A], ds.splits.validation, 10, { width: () => width, onWiden: (l) => ((widen = l), () => undefined) });
  for (let waited = 0; started.length < 2 && waited < 20_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  assert.equal(started.length, 2, 'the second session started while the first waited');
  open();
  assert.equal((await sel).hint.id, 'h-a');
});
