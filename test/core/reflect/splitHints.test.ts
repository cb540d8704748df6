import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitHints, cleanHint } from '../../../src/core/reflect/splitHints';
import { parseRedundancyAnswer, reflectionMessages, redundancyPrompt, REFLECT_TURN1_MARKER, REFLECT_TURN2_MARKER, REFLECT_TURN3_MARKER, REDUNDANCY_MARKER } from '../../../src/core/reflect/prompts';

test('numbered answer: preamble and closing dropped, whole sentences kept, wrapped lines joined', () => {
  const answer = [
    'Here are some hints that should help:',
    '',
    '1. Favour movies from the same decade as the recent ones. Older titles matter less.',
    '2) **Look for directors** who appear repeatedly',
    '   in the history.',
    '3. "Weigh recurring genres."',
    '4.',
    '- Hint: Prefer foreign films when the history has some.',
    '',
    'I hope these help!',
  ].join('\n');
  const r = splitHints(answer);
  assert.equal(r.listed, true);
  assert.deepEqual(r.hints, [
    'Favour movies from the same decade as the recent ones. Older titles matter less.',
    'Look for directors who appear repeatedly in the history.',
    'Weigh recurring genres.',
    '',
    'Prefer foreign films when the history has some.',
  ]);
});

test('an answer without a list: one hint per non-empty line; headings skipped', () => {
  assert.deepEqual(splitHints('Hints:\nFavour comedies.\n\nAvoid sequels.').hints, ['Favour comedies.', 'Avoid sequels.']);
  assert.deepEqual(splitHints('## Hints\n1. Favour comedies.\n2. Avoid sequels.').hints, ['Favour comedies.', 'Avoid sequels.']);
  assert.deepEqual(splitHints('').hints, []);
});

test('cleanHint strips bullets, numbering, quotes and emphasis', () => {
  assert.equal(cleanHint('  12. “Prefer dramas.”'), 'Prefer dramas.');
  assert.equal(cleanHint('• __Prefer__ `dramas`'), 'Prefer dramas');
  assert.equal(cleanHint('(a) Prefer dramas'), 'Prefer dramas');
  assert.equal(cleanHint('""'), '');
});

test('reflection conversation: base prompt, then answer/turn pairs with the markers; no "- " lines in our turns', () => {
  const w = { item: 'movie', items: 'movies', verb: 'watched', verbPresent: 'watch' };
  const base = [{ role: 'user' as const, content: 'BASE' }];
  const m = reflectionMessages(base, ['A0', 'A1', 'A2'], w, 'Heat', 10);
  assert.deepEqual(m.map((x) => x.role), ['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user']);
  assert.ok(m[2]!.content.startsWith(REFLECT_TURN1_MARKER));
  assert.ok(m[4]!.content.startsWith(`${REFLECT_TURN2_MARKER} "Heat".`));
  assert.ok(m[6]!.content.startsWith(REFLECT_TURN3_MARKER));
  assert.match(m[6]!.content, /Do not name "Heat"/);
  assert.equal(reflectionMessages(base, ['A0'], w, 'Heat', 10).length, 3);
  for (const x of m.slice(1)) assert.ok(!/^\s*- /m.test(x.content));
  const q = redundancyPrompt(w, ['One.', 'Two.'], 'Three.')[0]!.content;
  assert.ok(q.startsWith(REDUNDANCY_MARKER));
  assert.match(q, /\n1\. One\.\n2\. Two\.\n/);
});

test('parseRedundancyAnswer: yes N, no, and unclear answers (counted as redundant)', () => {
  assert.deepEqual(parseRedundancyAnswer('Yes 2', 3), { redundant: true, unclear: false, index: 1 });
  assert.deepEqual(parseRedundancyAnswer('**yes** (hint 3)', 3), { redundant: true, unclear: false });
  assert.deepEqual(parseRedundancyAnswer('yes, 9', 3), { redundant: true, unclear: false });
  assert.deepEqual(parseRedundancyAnswer('No.', 3), { redundant: false, unclear: false });
  assert.deepEqual(parseRedundancyAnswer('It is hard to say', 3), { redundant: true, unclear: true });
  assert.deepEqual(parseRedundancyAnswer('Nope', 3), { redundant: true, unclear: true });
});

test('a reasoning model\'s <think> block is dropped before hints and yes/no answers are read', () => {
  const hints = splitHints('<think>\n1. draft: name the movie\n2. no wait\n</think>\n1. Favour the decade of the history.\n2. Keep to familiar genres.');
  assert.deepEqual(hints.hints, ['Favour the decade of the history.', 'Keep to familiar genres.']);
  assert.deepEqual(parseRedundancyAnswer('<think>It might repeat hint 2... yes? Actually no.</think>\nNo.', 3), { redundant: false, unclear: false });
  assert.equal(parseRedundancyAnswer('<think>unfinished reasoning', 3).unclear, true);
});
