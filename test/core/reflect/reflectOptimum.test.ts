import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keptRequests, optimumRounds, type RequestForest } from '../../../bench/reflectOptimum';
import type { CandidateRecord, SessionRecord } from '../../../src/core/reflect/types';

let made = 0;
function cand(verdict: CandidateRecord['verdict'], extra: Partial<CandidateRecord> = {}): CandidateRecord {
  made++;
  return { id: `h${made}`, text: `hint ${made}`, verdict, ...extra };
}

function rec(index: number, error: boolean, candidates: CandidateRecord[] = [], failure?: SessionRecord['failure']): SessionRecord {
  return { index, sessionId: `s${index}`, baseRank: error ? null : 1, error, candidates, ...(failure ? { failure } : {}) };
}

/** The fewest rounds by trying every choice of at most `slots` sendable requests each round. */
function exhaustive(f: RequestForest, slots: number): number {
  const n = f.depth.length;
  const all = (1 << n) - 1;
  let frontier = new Set([0]);
  for (let rounds = 0; ; rounds++) {
    if (frontier.has(all)) return rounds;
    const next = new Set<number>();
    for (const done of frontier) {
      const sendable: number[] = [];
      for (let i = 0; i < n; i++) if (!(done & (1 << i)) && (f.parent[i]! < 0 || done & (1 << f.parent[i]!))) sendable.push(i);
      for (let pick = 1; pick < 1 << sendable.length; pick++) {
        let bits = 0;
        let count = 0;
        sendable.forEach((i, k) => {
          if (pick & (1 << k)) {
            bits |= 1 << i;
            count++;
          }
        });
        if (count <= slots) next.add(done | bits);
      }
    }
    frontier = next;
  }
}

test('keptRequests: base, three turns, a check per candidate checked, a question per effective candidate acceptance asked', () => {
  const f = keptRequests(
    [
      rec(0, false),
      rec(1, true, [
        cand('accepted', { rankAfter: 3, effective: true }), // first hint: an empty KB is not asked
        cand('ineffective', { rankAfter: null, effective: false }),
        cand('leak'), // never checked
        cand('redundant', { rankAfter: 2, effective: true, redundancyBy: 'text' }), // the text decided
        cand('redundant', { rankAfter: 4, effective: true, redundancyBy: 'llm' }),
        cand('accepted', { rankAfter: 5, effective: true }),
      ]),
      rec(2, true, [cand('accepted', { rankAfter: 1, effective: true })], { kind: 'http', message: 'x' }),
    ],
    0,
  );
  // 1 (session 0) + 1 + 3 + 5 checks + 2 questions (session 1); the failed session 2 is left out.
  assert.equal(f.depth.length, 12);
  assert.equal(Math.max(...f.depth), 6);
  assert.equal(f.parent.filter((p) => p < 0).length, 2);
  // With a hint in the KB already, the first accepted candidate was asked too.
  assert.equal(keptRequests([rec(0, true, [cand('accepted', { rankAfter: 3, effective: true })])], 1).depth.length, 6);
  assert.equal(keptRequests([rec(0, true, [cand('accepted', { rankAfter: 3, effective: true })])], 0).depth.length, 5);
});

test('optimumRounds: the longest chain with slots to spare, all requests over the slots with one', () => {
  const f = keptRequests([rec(0, true, [cand('accepted', { rankAfter: 3, effective: true }), cand('accepted', { rankAfter: 3, effective: true })])], 0);
  assert.equal(f.depth.length, 7); // the first hint was not asked about: the KB was empty
  assert.equal(optimumRounds(f, 64), 6);
  assert.equal(optimumRounds(f, 1), 7);
  assert.equal(optimumRounds({ depth: [], parent: [] }, 4), 0);
  assert.throws(() => optimumRounds(f, 0), /slots must be a positive integer/);
});

test('optimumRounds equals an exhaustive search on random small forests', () => {
  let seed = 7;
  const rand = (k: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % k;
  };
  for (let trial = 0; trial < 150; trial++) {
    const n = 1 + rand(9);
    const f: RequestForest = { depth: [], parent: [] };
    for (let i = 0; i < n; i++) {
      const p = i === 0 || rand(4) === 0 ? -1 : rand(i);
      f.parent.push(p);
      f.depth.push(p < 0 ? 1 : f.depth[p]! + 1);
    }
    const slots = 1 + rand(3);
    assert.equal(optimumRounds(f, slots), exhaustive(f, slots), `forest ${JSON.stringify(f.parent)} at ${slots} slot(s)`);
  }
});

test('keptRequests: a request sent before is answered from the cache, not sent again', () => {
  const twice = (kb: number): CandidateRecord => cand('redundant', { text: 'same', rankAfter: 2, effective: true, redundancyBy: 'llm', redundantWith: `h${kb}` });
  // The same hint asked about against the same KB in two sessions: one question. Once a hint is
  // accepted in between, the KB differs and it is asked again.
  assert.equal(keptRequests([rec(0, true, [twice(1)]), rec(1, true, [twice(1)])], 1).depth.length, 4 + 2 + 4 + 1);
  const accepted = cand('accepted', { text: 'other', rankAfter: 1, effective: true });
  assert.equal(keptRequests([rec(0, true, [twice(1)]), rec(1, true, [accepted, twice(1)])], 1).depth.length, 4 + 2 + 4 + 2 + 2);
  // Two candidates of one text in a session share their effectiveness check.
  assert.equal(keptRequests([rec(0, true, [cand('ineffective', { text: 'a', rankAfter: null, effective: false }), cand('ineffective', { text: 'a', rankAfter: null, effective: false })])], 0).depth.length, 5);
});
