import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from 'jsonc-parser';
import { disableHintEdit, locateHints } from '../../../src/extension/kb/locate';
import { lensesFor } from '../../../src/extension/kb/lenses';
import { Debouncer, type Timers } from '../../../src/extension/kb/debounce';
import { parseKbText } from '../../../src/core/kb/parse';
import { validateKb } from '../../../src/core/kb/validate';

const TEXT = `{
  "version": 1,
  "hints": [
    {
      "id": "h-a",
      "text": "Prefer sequels of movies already watched."
    },
    { "id": "h-b", "text": "Prefer sequels of movies already watched.", "enabled": true },
    {
      "id": "h-c",
      "enabled": false,
      "text": "Mind the decade."
    },
    "not an object"
  ]
}
`;

test('hints are located with their offsets and enabled flags', () => {
  const hints = locateHints(TEXT);
  assert.deepEqual(hints.map((h) => [h.index, h.id, h.enabled]), [[0, 'h-a', true], [1, 'h-b', true], [2, 'h-c', false]]);
  assert.equal(TEXT.slice(hints[1]!.start, hints[1]!.start + 1), '{');
  assert.equal(TEXT[hints[1]!.end - 1], '}');
  assert.deepEqual(locateHints('{ not json'), []);
  assert.deepEqual(locateHints('{"hints": 3}'), []);
});

test('quick fix: disables a duplicate by inserting or flipping "enabled", keeping the file valid', () => {
  for (const index of [0, 1]) {
    const e = disableHintEdit(TEXT, index)!;
    const out = applyEdits(TEXT, [{ offset: e.offset, length: e.length, content: e.newText }]);
    const kb = JSON.parse(out.replace(/,\s*"not an object"/, ''));
    assert.equal(kb.hints[index].enabled, false, `hint ${index}`);
    assert.equal(kb.hints[1 - index].enabled ?? true, true);
  }
  assert.equal(disableHintEdit(TEXT, 2), undefined, 'already disabled');
  assert.equal(disableHintEdit(TEXT, 3), undefined, 'not an object');
  assert.equal(disableHintEdit(TEXT, 9), undefined);
  // The inserted property reuses the indentation of the object's first property.
  const e0 = disableHintEdit(TEXT, 0)!;
  assert.equal(e0.newText, '"enabled": false,\n      ');
});

test('the core flags the duplicate the quick fix applies to', () => {
  const clean = TEXT.replace(/,\s*"not an object"/, '');
  assert.ok(parseKbText(clean).kb);
  const diags = validateKb(clean, { maxHintChars: 300 });
  const dup = diags.find((d) => d.code === 'duplicate-text');
  assert.ok(dup, JSON.stringify(diags));
  const hint = locateHints(clean).find((h) => dup.range.start >= h.start && dup.range.start <= h.end);
  assert.equal(hint?.id, 'h-b');
});

test('CodeLens: stats per hint from the latest results, and the try action', () => {
  const hints = locateHints(TEXT);
  const lenses = lensesFor(hints, { runId: 'r1', totalPicks: 40, hints: [{ id: 'h-a', text: '', picks: 10, meanReward: 0.0312 }, { id: 'h-b', text: '', picks: 0, meanReward: null }] }, 20, '/k.hints.json');
  const titles = lenses.map((l) => l.title);
  assert.ok(titles.includes('agent picks 10× (25%) · mean reward +0.031 · run r1'));
  assert.ok(titles.includes('agent picks 0× (0%) · mean reward n/a · run r1'));
  assert.ok(titles.includes('disabled (not an action of the agent)'));
  const tries = lenses.filter((l) => l.command === 're2llm.tryHint');
  assert.equal(tries.length, 3);
  assert.equal(tries[0]!.title, 'Try this hint on 20 validation sessions');
  assert.deepEqual(tries[0]!.args, ['/k.hints.json', 'h-a']);
  assert.deepEqual(lensesFor(hints, undefined, 20, '/k').filter((l) => !l.command).map((l) => l.title), ['no evaluation yet', 'no evaluation yet', 'disabled (not an action of the agent)']);
});

test('debouncing: one validation per burst of typing, per document', () => {
  const pending: { fn: () => void; cleared: boolean }[] = [];
  const timers: Timers = {
    set: (fn) => {
      const h = { fn, cleared: false };
      pending.push(h);
      return h;
    },
    clear: (h) => void ((h as { cleared: boolean }).cleared = true),
  };
  const d = new Debouncer(300, timers);
  const ran: string[] = [];
  for (let i = 0; i < 5; i++) d.schedule('a', () => ran.push('a'));
  d.schedule('b', () => ran.push('b'));
  for (const p of pending) if (!p.cleared) p.fn();
  assert.deepEqual(ran.sort(), ['a', 'b']);
});
