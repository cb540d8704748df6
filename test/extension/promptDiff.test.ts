/**
 * The prompt-diff panel: its host picks run, session (differing ranks first) and two sides, reads
 * each side through sessionDetail and sends one snapshot; command arguments are checked; the
 * view model's word diff marks only what differs and folds long unchanged stretches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRuns } from '../../src/extension/host/runs';
import { asPromptDiffRequest, PromptDiffHost, sessionsByInterest } from '../../src/extension/promptDiff/promptDiffHost';
import type { PromptDiffNotification } from '../../src/protocol/promptDiff';
import type { SessionDetail } from '../../src/protocol/webview';
import type { PickItem } from '../../src/extension/vscode/types';
import { foldSame, sideBySide } from '../../webview/promptDiff/model';
import { FakeVs } from './fakes/fakeVscode';

const ROOT = join(__dirname, '..', '..');

function folder() {
  const runsDir = mkdtempSync(join(tmpdir(), 'ext-diff-'));
  const results = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/results-full/results.json'), 'utf8'));
  for (const id of ['eval-a', 'eval-b']) {
    mkdirSync(join(runsDir, id));
    writeFileSync(join(runsDir, id, 'results.json'), JSON.stringify({ ...results, run: { ...results.run, id } }));
  }
  return { runsDir, results };
}

function host(runsDir: string) {
  const vs = new FakeVs();
  const posted: PromptDiffNotification[] = [];
  const asked: string[] = [];
  const h = new PromptDiffHost({
    ui: vs.ui,
    log: vs.log,
    createPanel: () => ({ postMessage: (m) => (posted.push(m), true), reveal: () => {}, onMessage: () => {}, onDispose: () => {} }),
    runs: () => listRuns(runsDir),
    sessionDetail: async (dir, r, sessionId, condition): Promise<SessionDetail> => {
      asked.push(`${dir.split('/').at(-1)}:${sessionId}:${condition}`);
      const o = r.sessions.find((s) => s.sessionId === sessionId)!.byCondition[condition]!;
      return {
        runId: r.run.id,
        sessionId,
        condition,
        prompt: `Rank these.${o.hintId ? ` Hint: ${o.hintId}.` : ''}`,
        answer: `1. A\n2. ${condition}`,
        ranking: ['A', condition],
        targetTitle: 'A',
        targetRank: o.rank,
        ...(o.hintId ? { hintId: o.hintId } : {}),
      };
    },
  });
  return { h, vs, posted, asked };
}

const id = (i: PickItem) => i as PickItem & { runId: string; condition: string };

test('prompt diff: run, session and two sides picked; each side read once; one snapshot after ready', async () => {
  const { runsDir, results } = folder();
  const t = host(runsDir);
  let sessionItems: PickItem[] = [];
  let sides: PickItem[] = [];
  t.vs.pickAnswers.push((items) => items.find((i) => (i.description ?? i.label) === 'eval-a'));
  t.vs.pickAnswers.push((items) => ((sessionItems = items), items.find((i) => i.label === 'test-1000')));
  t.vs.pickAnswers.push((items) => ((sides = items), items.filter((i) => i.picked)));
  await t.h.open();
  assert.equal(t.posted.length, 0, 'nothing before ready');
  await t.h.receive({ type: 'diff/ready' });
  const m = t.posted.at(-1)!;
  assert.equal(m.sessionId, 'test-1000');
  assert.deepEqual([m.left.detail.condition, m.right.detail.condition], ['no-hint', 'agent'], 'no-hint and agent pre-picked');
  assert.match(m.right.label, /Agent · h05/);
  assert.deepEqual(t.asked, ['eval-a:test-1000:no-hint', 'eval-a:test-1000:agent']);
  // Only LLM conditions are sides; the other run's same session is offered too.
  assert.ok(!sides.some((s) => /Popular|SKNN/.test(s.label)));
  assert.ok(sides.some((s) => id(s).runId === 'eval-b' && id(s).condition === 'agent'));
  assert.match(sessionItems.find((s) => s.label === 'test-1000')!.detail!, /No hint #10 · .*Agent #5/);
  assert.equal(sessionItems.length, results.sessions.length);
});

test('prompt diff: sides fixed by the caller skip the picks; picking other than two warns; bad arguments are dropped', async () => {
  const { runsDir } = folder();
  const t = host(runsDir);
  await t.h.open({ runId: 'eval-a', sessionId: 'test-1000', sides: [{ condition: 'agent' }, { runId: 'eval-b', condition: 'agent' }] });
  await t.h.receive({ type: 'diff/ready' });
  assert.deepEqual(t.asked, ['eval-a:test-1000:agent', 'eval-b:test-1000:agent']);
  assert.match(t.posted.at(-1)!.right.label, /· Agent · h05$/);
  assert.doesNotMatch(t.posted.at(-1)!.left.label, /·.*·/, "the base run's side is not prefixed with a run");
  t.vs.pickAnswers.push((items) => items.find((i) => i.label === 'test-1000'));
  t.vs.pickAnswers.push((items) => items.slice(0, 3));
  await t.h.receive({ type: 'diff/pick' });
  assert.match(t.vs.shown.at(-1)!.message, /pick exactly two sides \(3 picked\)|exactly two/);
  assert.deepEqual(asPromptDiffRequest({ runId: '../etc', sessionId: 5, sides: [{ condition: 'agent' }] }), {});
  assert.deepEqual(asPromptDiffRequest(undefined), {});
});

test('prompt diff: a panel restored after a reload keeps the comparison its page saved (nothing re-sent, nothing asked) and is reused by the next open', async () => {
  const { runsDir } = folder();
  const t = host(runsDir);
  const posted: PromptDiffNotification[] = [];
  let handler: ((m: unknown) => void) | undefined;
  const restored = { postMessage: (m: PromptDiffNotification) => (posted.push(m), true), reveal: () => {}, onMessage: (h: (m: unknown) => void) => void (handler = h), onDispose: () => {} };
  t.h.restore(restored);
  assert.ok(handler, 'the host listens to the restored panel');
  await t.h.receive({ type: 'diff/ready' });
  assert.equal(posted.length, 0, 'the page paints its saved comparison; the host sends none');
  assert.deepEqual(t.asked, [], 'no side read');
  // The next comparison goes to the restored panel, not a new one.
  await t.h.open({ runId: 'eval-a', sessionId: 'test-1000', sides: [{ condition: 'no-hint' }, { condition: 'agent' }] });
  assert.equal(posted.at(-1)?.sessionId, 'test-1000');
  assert.equal(t.posted.length, 0, 'no panel created');
});

test('sessions whose conditions disagree come first', () => {
  const s = (sessionId: string, ranks: (number | null)[]) => ({
    sessionId,
    targetTitle: 't',
    byCondition: Object.fromEntries(['no-hint', 'agent', 'popularity'].map((c, i) => [c, { rank: ranks[i] ?? null }])),
  });
  assert.deepEqual(
    sessionsByInterest([s('same', [3, 3, 1]), s('differs', [3, 7, 3])]).map((x) => x.sessionId),
    ['differs', 'same'],
  );
});

test('word diff: only the changed words are marked on each side; long unchanged text folds', () => {
  const d = sideBySide('Rank the movies.\nHint: none.\n1. Alien', 'Rank the movies.\nHint: prefer dramas.\n1. Alien');
  assert.deepEqual(
    d.left.filter((x) => x.kind === 'removed').map((x) => x.text.trim()),
    ['none'],
  );
  assert.deepEqual(
    d.right
      .filter((x) => x.kind === 'added')
      .map((x) => x.text)
      .join('')
      .trim(),
    'prefer dramas',
  );
  assert.equal(d.left.map((x) => x.text).join(''), 'Rank the movies.\nHint: none.\n1. Alien', 'the left side rebuilds the left text');
  assert.equal(d.right.map((x) => x.text).join(''), 'Rank the movies.\nHint: prefer dramas.\n1. Alien');
  assert.equal(sideBySide('a b', 'a b').changed, 0);
  const long = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
  const f = foldSame(long);
  assert.equal(f.lines, 24);
  assert.equal(f.head + f.folded + f.tail, long);
  assert.deepEqual(foldSame('short\ntext'), { head: 'short\ntext' });
});
