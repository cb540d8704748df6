import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { reflectionResponder, redundancyResponder, reflectionResponders } from '../../../src/core/sim/reflectionResponder';
import { reflectionMessages, redundancyPrompt } from '../../../src/core/reflect/prompts';
import { buildRankPrompt, rankPromptOptions, titleOf } from '../../../src/core/prompts/rank';
import { splitHints } from '../../../src/core/reflect/splitHints';
import { harness } from './simHarness';

after(async () => (await harness()).close());

const words = { item: 'movie', items: 'movies', verb: 'watched', verbPresent: 'watch' };

test('reflection responder: answers only its own turns; turn 3 gives numbered hints from attributes the target shares with the history', async () => {
  const h = await harness();
  const config = h.config();
  const ctx = { dataset: h.dataset, seed: 1 };
  const r = reflectionResponder();
  let leaks = 0;
  let total = 0;
  for (const session of h.dataset.splits.train.slice(0, 30)) {
    const base = buildRankPrompt(h.dataset, session, rankPromptOptions(config)).messages;
    assert.equal(r.matches(base), false, 'a rank prompt is not a reflection turn');
    const title = titleOf(h.dataset, session.target);
    const turn3 = reflectionMessages(base, ['1. X', 'a', 'b'], words, title, 10);
    assert.ok(r.matches(turn3) && r.matches(turn3.slice(0, 3)) && r.matches(turn3.slice(0, 5)));
    const answer = r.respond(turn3, ctx);
    assert.equal(answer, r.respond(turn3, ctx), 'deterministic');
    const hints = splitHints(answer).hints.filter(Boolean);
    assert.ok(hints.length >= 1);
    total += hints.length;
    leaks += hints.filter((x) => x.includes(`"${title}"`)).length;
    // Every templated value comes from the target's attributes (decades, genres, people, countries).
    const target = h.dataset.items.get(session.target)!;
    const values = Object.values(target.attributes).flat();
    for (const x of hints) {
      const named = /especially (.+)\.$|^Look for (.+) movies:|by (.+), whose|towards (.+) productions|exploring (.+) cinema|of the (.+) genre above/.exec(x);
      if (named) {
        const v = named.slice(1).find(Boolean)!;
        assert.ok(values.includes(v), `${x} names ${v}, not an attribute of ${target.title}`);
      }
    }
  }
  assert.ok(leaks > 0 && leaks < total / 3, `some but few leaking hints (${leaks}/${total})`);
});

test('redundancy responder: "yes N" for the listed hint with most word overlap, "no" otherwise', () => {
  const r = redundancyResponder();
  const kb = ['Favour movies from the same decade as the recent ones.', 'Look for directors who appear repeatedly in the history.'];
  const q = redundancyPrompt(words, kb, 'Look for directors that appear repeatedly in the history.');
  assert.ok(r.matches(q));
  assert.equal(r.respond(q, { dataset: undefined as never, seed: 1 }), 'yes 2');
  assert.equal(r.respond(redundancyPrompt(words, kb, 'Prefer foreign films.'), { dataset: undefined as never, seed: 1 }), 'no');
  assert.deepEqual(reflectionResponders().map((x) => x.name), ['reflection', 'redundancy']);
});

test('reflection responder on a title-only dataset: a hint names a word the titles share, as a word of the titles', async () => {
  const h = await harness();
  const config = h.config();
  // Titles only; the target and two history items share the word "falcon".
  const names = ['Falcon Saga 1', 'Falcon Saga 2', 'Quiet River', 'Falcon Saga 3', ...Array.from({ length: 60 }, (_, i) => `Unrelated Story ${i + 10}`)];
  const items = new Map(names.map((title, i) => [String(i), { id: String(i), title, attributes: {} }]));
  const session = { id: 's', history: ['0', '1', '2'], target: '3', candidates: ['3', ...Array.from({ length: 49 }, (_, i) => String(i + 4))] };
  const titleOnly = { ...h.dataset, items, splits: { train: [session], validation: [], test: [] } };
  const base = buildRankPrompt(titleOnly, session, rankPromptOptions(config)).messages;
  const turn3 = reflectionMessages(base, ['1. X', 'a', 'b'], words, 'Falcon Saga 3', 10);
  const named: string[] = [];
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    for (const x of splitHints(r().respond(turn3, { dataset: titleOnly, seed })).hints) {
      // Before: "Look for candidates that share the falcon of several history items."
      assert.doesNotMatch(x, /share the \S+ of several/, x);
      const word = /the word "(.+)" with|such as "(.+)", often/.exec(x)?.slice(1).find(Boolean);
      if (word !== undefined) named.push(word);
    }
  }
  assert.ok(named.length > 0, 'some hints name the shared word');
  for (const w of named) assert.ok(['falcon', 'saga'].includes(w), `"${w}" is a word the target shares with the history`);
});

const r = reflectionResponder;
