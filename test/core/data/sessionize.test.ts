import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sessionize, utcDay, parseTimestamp, type Interaction } from '../../../src/core/data/sessionize';
import { candidatePool, sampleCandidates } from '../../../src/core/data/candidates';
import { planTrainAndValidation } from '../../../src/core/data/splits';
import { Rng } from '../../../src/core/util/rng';
import type { Session } from '../../../src/core/data/types';

const pool = candidatePool(Array.from({ length: 30 }, (_, i) => `i${i}`));
const opts = { by: 'user-day' as const, minLength: 3, candidates: 10, testFraction: 0.5, seed: 1 };
const DAY = 86400;

test('utcDay and parseTimestamp: seconds, milliseconds and ISO dates', () => {
  assert.equal(utcDay(0), '1970-01-01');
  assert.equal(utcDay(DAY - 1), '1970-01-01');
  assert.equal(utcDay(DAY), '1970-01-02');
  assert.equal(parseTimestamp('881250949'), 881250949);
  assert.equal(parseTimestamp('881250949.5'), 881250949.5);
  assert.equal(parseTimestamp('1577836800000'), 1577836800, 'milliseconds');
  assert.equal(parseTimestamp('2020-01-01T00:00:00Z'), 1577836800);
  assert.equal(parseTimestamp('soon'), undefined);
  assert.equal(parseTimestamp(''), undefined);
});

test('sessionize: a day boundary splits a user, short groups are left out and counted', () => {
  const xs: Interaction[] = [
    { user: 'u', item: 'i1', time: DAY - 30 },
    { user: 'u', item: 'i2', time: DAY - 20 },
    { user: 'u', item: 'i3', time: DAY - 10 },
    { user: 'u', item: 'i4', time: DAY + 10 }, // next UTC day: a group of one
    { user: 'v', item: 'i5', time: 30 },
    { user: 'v', item: 'i7', time: 10 },
    { user: 'v', item: 'i6', time: 20 },
  ];
  const r = sessionize(xs, pool, { ...opts, testFraction: 0 });
  assert.deepEqual(r.train.map((s) => [s.id, s.history, s.target]), [
    ['v@1970-01-01', ['i7', 'i6'], 'i5'],
    ['u@1970-01-01', ['i1', 'i2'], 'i3'],
  ]);
  assert.equal(r.test.length, 0);
  assert.match(r.notes[0]!, /7 interactions grouped by user and UTC day into 3 sessions; 2 have at least 3 .* 1 shorter ones left out/);
});

test('sessionize: candidates hold the target and no history item; a session keeps its candidates when others change', () => {
  const xs: Interaction[] = [];
  for (let u = 0; u < 10; u++) for (let k = 0; k < 4; k++) xs.push({ user: `u${u}`, item: `i${(u * 3 + k) % 30}`, time: k });
  const r = sessionize(xs, pool, opts);
  assert.equal(r.train.length + r.test.length, 10);
  assert.equal(r.test.length, 5);
  for (const s of [...r.train, ...r.test]) {
    assert.equal(s.candidates.length, 10);
    assert.equal(new Set(s.candidates).size, 10);
    assert.ok(s.candidates.includes(s.target));
    assert.ok(s.candidates.every((c) => c === s.target || !s.history.includes(c)));
  }
  const fewer = sessionize(xs.filter((x) => x.user !== 'u0'), pool, opts);
  const u5 = (res: typeof r): Session => [...res.train, ...res.test].find((s) => s.id === 'u5@1970-01-01')!;
  assert.deepEqual(u5(fewer).candidates, u5(r).candidates);
});

test('sampleCandidates: refuses when the catalogue is too small; works when exclusions dominate', () => {
  const small = candidatePool(['a', 'b', 'c', 'd']);
  assert.throws(() => sampleCandidates('a', ['b', 'c'], small, 3, new Rng(1)), /only 1 items are neither the target nor in the history; 2 negatives needed/);
  const c = sampleCandidates('a', ['b'], small, 3, new Rng(1));
  assert.deepEqual([...c].sort(), ['a', 'c', 'd']);
});

test('planTrainAndValidation: seeded cap then slice, original order kept, explicit validation untouched', () => {
  const mk = (n: number): Session[] => Array.from({ length: n }, (_, i) => ({ id: `s${i}`, history: ['x'], target: 'y', candidates: ['y'] }));
  const p = planTrainAndValidation(mk(100), undefined, { maxTrainSessions: 40, validationFraction: 0.25, seed: 3 });
  assert.equal(p.train.length, 30);
  assert.equal(p.validation.length, 10);
  const idx = (s: Session): number => Number(s.id.slice(1));
  assert.deepEqual(p.train.map(idx), [...p.train.map(idx)].sort((a, b) => a - b));
  assert.equal(new Set([...p.train, ...p.validation].map((s) => s.id)).size, 40);
  assert.deepEqual(planTrainAndValidation(mk(100), undefined, { maxTrainSessions: 40, validationFraction: 0.25, seed: 3 }), p);
  const explicit = planTrainAndValidation(mk(5), mk(2), { maxTrainSessions: 40, validationFraction: 0.25, seed: 3 });
  assert.equal(explicit.train.length, 5);
  assert.equal(explicit.validation.length, 2);
  assert.deepEqual(explicit.notes, []);
});
