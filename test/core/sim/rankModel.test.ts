import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureDataset, rankMessages } from './simFixture';
import { readRankPrompt } from '../../../src/core/sim/rankPrompt';
import { rankCandidatesSim, sessionModel, readHint } from '../../../src/core/sim/rankModel';
import { rankResponder } from '../../../src/core/sim/rankResponder';
import { profileOf, titleWords, decadeOf } from '../../../src/core/sim/families';
import { measureSignal } from '../../../src/core/sim/signal';
import type { Item, Session, SessionDataset } from '../../../src/core/data/types';

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
  assert.equal(rankOf(9), 20, 'seed 9: target 20th without a hint (the LLM under-uses the focus family)');
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

/**
 * 216 movies: every genre x decade x slot, with directors and countries spread independently of
 * both. Sessions of two kinds: genre-focused (eight films of one genre from mixed decades; the
 * target is another film of that genre, every negative of another genre) and decade-focused
 * (eight films of one decade from mixed genres; the target from that decade, every negative from
 * another). Mixed histories (validation) make the calibration look like a real dataset's. The
 * best hint follows what the history is concentrated on, so following it should gain about twice
 * what any one fixed hint gains.
 */
function focusedDataset(): SessionDataset {
  const base = fixtureDataset();
  const genres = ['Horror', 'Comedy', 'Drama', 'Sci-Fi', 'Romance', 'Western'];
  const countries = ['USA', 'France', 'Japan', 'UK', 'Italy'];
  const id = (g: number, y: number, k: number): string => String(1 + g * 36 + y * 6 + k);
  const items = new Map<string, Item>();
  for (let g = 0; g < 6; g++) for (let y = 0; y < 6; y++) for (let k = 0; k < 6; k++) {
    items.set(id(g, y, k), {
      id: id(g, y, k),
      title: `${genres[g]} Story ${y}${k}`,
      attributes: { year: [String(1950 + 10 * y + k)], genres: [genres[g]!], directors: [`Director ${(g * 7 + y * 11 + k * 5) % 23}`], countries: [countries[(g + 2 * y + 3 * k) % 5]!] },
    });
  }
  const all = [...items.keys()];
  const spread = (pool: string[], n: number, salt: number): string[] => pool.filter((_, j) => (j * 5 + salt) % 7 < 2).slice(0, n);
  const session = (sid: string, history: string[], target: string, negatives: string[]): Session => {
    const candidates = [...negatives.slice(0, 49)];
    candidates.splice(Number(target) % 50, 0, target);
    return { id: sid, history, target, candidates };
  };
  const train: Session[] = [];
  for (let g = 0; g < 6; g++) {
    const history = Array.from({ length: 8 }, (_, j) => id(g, j % 6, (j * 5 + g + Math.floor(j / 6)) % 6));
    const negatives = spread(all.filter((x) => Math.floor((Number(x) - 1) / 36) !== g), 49, g);
    train.push(session(`genre-${g}`, history, id(g, 2, (g + 3) % 6), negatives));
  }
  for (let y = 0; y < 6; y++) {
    const history = Array.from({ length: 8 }, (_, j) => id(j % 6, y, (j * 5 + y + Math.floor(j / 6)) % 6));
    const negatives = spread(all.filter((x) => Math.floor(((Number(x) - 1) % 36) / 6) !== y), 49, y);
    train.push(session(`decade-${y}`, history, id(2, y, (y + 1) % 6), negatives));
  }
  const validation = Array.from({ length: 24 }, (_, m) => {
    const history = Array.from({ length: 8 }, (_, j) => all[(m * 37 + j * 53) % all.length]!);
    return session(`mixed-${m}`, history, all[(m * 11 + 5) % all.length]!, []);
  });
  return { ...base, items, splits: { train, validation, test: [] } };
}

test('the hint on the family the history is concentrated on beats the best fixed hint by a clear margin', () => {
  const ds = focusedDataset();
  for (const s of ds.splits.train) {
    assert.ok(!s.history.includes(s.target) && new Set(s.history).size === 8, s.id);
    assert.equal(s.candidates.length, 50, s.id);
    assert.equal(new Set(s.candidates).size, 50, s.id);
    assert.ok(s.candidates.includes(s.target) && !s.history.includes(s.target), s.id);
  }
  let observable = 0;
  let bestFixed = 0;
  let base = 0;
  const seeds = [1, 2, 3, 4, 5];
  for (const seed of seeds) {
    const r = measureSignal(ds, ds.splits.train, { seed });
    // the observable policy names genres in the genre sessions and the era in the decade sessions
    assert.deepEqual(r.observableShare, { countries: 0, directors: 0, genres: 0.5, year: 0.5 });
    assert.ok(r.dominantFamilyNdcgGain >= r.observableFamilyNdcgGain - 1e-9, 'the hidden focus is the observable one here');
    observable += r.observableFamilyNdcgGain / seeds.length;
    bestFixed += r.bestFixed.ndcgGain / seeds.length;
    base += r.base.hr / seeds.length;
    const fixed = Math.max(...r.perFamily.map((p) => p.ndcgGain));
    assert.equal(r.bestFixed.ndcgGain, fixed);
    assert.ok(r.misdirectedNdcgGain <= 0.01, `misdirected hints ${r.misdirectedNdcgGain}`);
    // fixed hints on families no session is focused on (countries, directors) do not help
    for (const p of r.perFamily.filter((x) => x.family === 'countries' || x.family === 'directors')) assert.ok(p.ndcgGain <= 0.02, `${p.family} ${p.ndcgGain}`);
  }
  assert.ok(base < 0.5, `base HR@10 ${base.toFixed(3)} leaves room for hints`);
  assert.ok(observable >= 0.3, `observable-policy gain ${observable.toFixed(3)}`);
  assert.ok(observable >= 1.7 * bestFixed && observable - bestFixed >= 0.3, `observable ${observable.toFixed(3)} vs best fixed ${bestFixed.toFixed(3)}`);
});

test('title-only datasets: one family, no focus to miss; hints and the signal report still work', () => {
  const titleOnly: SessionDataset = { ...ds, items: new Map([...ds.items].map(([id, it]) => [id, { ...it, attributes: {} }])) };
  const r = measureSignal(titleOnly, titleOnly.splits.train, { seed: 3 });
  assert.deepEqual(r.perFamily.map((p) => p.family), ['title']);
  assert.deepEqual(r.observableShare, { title: 1 });
  assert.equal(r.observableFamilyNdcgGain, r.perFamily[0]!.ndcgGain, 'the only family is both the observable policy and the fixed hint');
  const m = sessionModel(titleOnly, horror.history, 3);
  assert.deepEqual(m.hidden, [1]);
  // "titles" is a keyword of the title family
  assert.deepEqual(readHint(titleOnly, 'Look at the titles', m).families, [0]);
});
