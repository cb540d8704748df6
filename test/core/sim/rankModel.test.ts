import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureDataset, rankMessages } from './simFixture';
import { readRankPrompt } from '../../../src/core/sim/rankPrompt';
import { rankCandidatesSim, sessionModel, readHint } from '../../../src/core/sim/rankModel';
import { rankResponder } from '../../../src/core/sim/rankResponder';
import { profileOf, titleWords, decadeOf } from '../../../src/core/sim/families';
import type { SessionDataset } from '../../../src/core/data/types';

const ds = fixtureDataset();
const horror = ds.splits.train[0]!;

test('readRankPrompt reads history, candidates, hint and K from the default template', () => {
  const r = readRankPrompt(rankMessages(ds, horror, 'Think about the genre.')[0]!.content, ds);
  assert.deepEqual(r.history, horror.history);
  assert.deepEqual(r.candidates, horror.candidates);
  assert.equal(r.hint, 'Think about the genre.');
  assert.equal(r.topK, 10);
  assert.deepEqual(r.unknownCandidates, []);
  const noHint = readRankPrompt(rankMessages(ds, horror)[0]!.content, ds);
  assert.equal(noHint.hint, undefined);
});

test('readRankPrompt: unknown titles are reported, duplicate titles resolve consistently, K is read', () => {
  const dup: SessionDataset = { ...ds, items: new Map(ds.items) };
  dup.items.set('999', { id: '999', title: 'Horror Tale 1', attributes: {} });
  const text = 'I watched:\n- Horror Tale 1\n\nChoose from:\n- Horror Tale 1\n- Not A Movie\n\nList the top 3 as a numbered list.';
  const r = readRankPrompt(text, dup);
  assert.deepEqual(r.history, ['1']);
  assert.deepEqual(r.candidates, ['1']);
  assert.deepEqual(r.unknownCandidates, ['Not A Movie']);
  assert.equal(r.topK, 3);
});

test('families: decades, title words for title-only datasets, singular keywords', () => {
  assert.equal(decadeOf('1994'), '1990s');
  assert.equal(decadeOf('n/a'), undefined);
  assert.deepEqual(titleWords('The Lord of the Rings (2001)'), ['lord', 'rings']);
  const fams = profileOf(ds).families.map((f) => `${f.name}:${f.kind}`);
  assert.deepEqual(fams, ['countries:values', 'directors:values', 'genres:values', 'year:era']);
  assert.ok(profileOf(ds).families.find((f) => f.name === 'countries')!.keywords.includes('country'));
  const titleOnly: SessionDataset = { ...ds, items: new Map([...ds.items].map(([id, it]) => [id, { ...it, attributes: {} }])) };
  const tf = profileOf(titleOnly).families;
  assert.equal(tf.length, 1);
  assert.equal(tf[0]!.kind, 'title');
  const out = rankCandidatesSim(titleOnly, horror.history, horror.candidates, undefined, 1);
  assert.equal(out.order.length, horror.candidates.length);
});

test('the same session always gets the same hidden weights; genre dominates an all-horror history', () => {
  const a = sessionModel(ds, horror.history, 7);
  const b = sessionModel(ds, horror.history, 7);
  assert.deepEqual(a.hidden, b.hidden);
  assert.ok(Math.abs(a.hidden.reduce((x, y) => x + y, 0) - 1) < 1e-9);
  const genre = a.families.indexOf('genres');
  assert.equal(a.hidden.indexOf(Math.max(...a.hidden)), genre, `hidden ${a.hidden.map((h) => h.toFixed(2))}`);
});

test('readHint: keywords and history values name families', () => {
  const m = sessionModel(ds, horror.history, 1);
  const fam = (h: string): string[] => readHint(ds, h, m).families.map((f) => m.families[f]!);
  assert.deepEqual(fam('Pay attention to the genre.'), ['genres']);
  assert.deepEqual(fam('They love Horror from the 1980s'), ['genres', 'year']);
  assert.deepEqual(fam('Consider the country of origin'), ['countries']);
  assert.deepEqual(fam('Something vague'), []);
  assert.ok(readHint(ds, 'more Horror please', m).values.get(m.families.indexOf('genres'))!.has('Horror'));
});

test('a relevant hint lifts the target; an irrelevant one does not (over 20 simulator seeds)', () => {
  const target = horror.target;
  const rankOf = (seed: number, hint?: string): number => rankCandidatesSim(ds, horror.history, horror.candidates, hint, seed).order.indexOf(target) + 1;
  let base = 0;
  let genre = 0;
  let country = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const b = rankOf(seed);
    const g = rankOf(seed, 'Focus on the genre of the movies I liked.');
    const c = rankOf(seed, 'Focus on the country of the movies I liked.');
    assert.ok(g <= b, `seed ${seed}: genre hint rank ${g} worse than base ${b}`);
    assert.ok(c >= b - 5, `seed ${seed}: country hint rank ${c} should not clearly beat base ${b}`);
    base += b;
    genre += g;
    country += c;
  }
  assert.equal(genre, 20, 'the genre hint puts the only horror candidate first every time');
  assert.ok(base >= 60, `mean base rank ${base / 20} should leave room to improve`);
  assert.ok(Math.abs(country - base) <= 20, `country hint mean rank ${country / 20} vs base ${base / 20}`);
  assert.equal(rankOf(9), 8, 'seed 9: target 8th without a hint');
  assert.equal(rankOf(9, 'Focus on the genre.'), 1);
});

test('the rank responder answers deterministically with K numbered candidate titles', () => {
  const r = rankResponder();
  const msgs = rankMessages(ds, horror);
  assert.ok(r.matches(msgs));
  assert.equal(r.matches([{ role: 'user', content: 'hello' }]), false);
  const a = r.respond(msgs, { dataset: ds, seed: 3 });
  assert.equal(a, r.respond(msgs, { dataset: ds, seed: 3 }));
  const lines = a.split('\n');
  assert.equal(lines.length, 10);
  const titles = new Set(horror.candidates.map((id) => ds.items.get(id)!.title));
  lines.forEach((l, i) => {
    const m = /^(\d+)\. (.*)$/.exec(l);
    assert.ok(m, l);
    assert.equal(Number(m[1]), i + 1);
    assert.ok(titles.has(m[2]!), m[2]);
  });
  assert.notEqual(a, r.respond(msgs, { dataset: ds, seed: 4 }), 'the seed changes the noise');
});
