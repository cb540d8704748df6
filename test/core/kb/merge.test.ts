import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeKb, mergeKbText, loadKbFile, saveKbMerged, formatKb, parseKbText, type HintKb, type KbHint } from '../../../src/core/kb';

const h = (id: string, text: string, extra: Partial<KbHint> = {}): KbHint => ({ id, text, enabled: true, source: 'reflection', ...extra });
const kbOf = (...hints: KbHint[]): HintKb => ({ version: 1, dataset: 'd', hints });
const ids = (k: HintKb): string[] => k.hints.map((x) => x.id);

test('mergeKb: our additions are appended to the user\'s version; user edits and deletions win', () => {
  const base = kbOf(h('h-1', 'One.'), h('h-2', 'Two.'), h('h-3', 'Three.'));
  const ours = kbOf(h('h-1', 'One.'), h('h-2', 'Two.'), h('h-3', 'Three.'), h('h-4', 'Four.'), h('h-5', 'Five.'));
  const theirs = kbOf(h('h-1', 'One, edited by hand.'), h('h-3', 'Three.', { enabled: false }), h('h-m', 'Manual.', { source: 'manual' }));
  const r = mergeKb(base, ours, theirs);
  assert.deepEqual(ids(r.kb), ['h-1', 'h-3', 'h-m', 'h-4', 'h-5']);
  assert.equal(r.kb.hints[0]!.text, 'One, edited by hand.');
  assert.equal(r.kb.hints[1]!.enabled, false);
  assert.deepEqual(r.added, ['h-4', 'h-5']);
});

test('mergeKb: a hint the user deleted is not re-added even if we changed it; our field edit lands only on untouched fields', () => {
  const base = kbOf(h('h-1', 'One.'), h('h-2', 'Two.'));
  const ours = kbOf(h('h-1', 'One.', { notes: 'ours' }), h('h-2', 'Two.', { enabled: false }));
  const theirs = kbOf(h('h-1', 'One edited.'));
  const r = mergeKb(base, ours, theirs);
  assert.deepEqual(r.kb.hints, [h('h-1', 'One edited.', { notes: 'ours' })]);
  assert.deepEqual(r.skipped, [{ id: 'h-2', reason: 'deleted-by-user' }]);
  // Both changed the same field: theirs wins.
  const r2 = mergeKb(base, kbOf(h('h-1', 'Ours.'), h('h-2', 'Two.')), kbOf(h('h-1', 'Theirs.'), h('h-2', 'Two.')));
  assert.equal(r2.kb.hints[0]!.text, 'Theirs.');
  assert.deepEqual(r2.skipped, [{ id: 'h-1', reason: 'edited-by-user' }]);
});

test('mergeKb: our deletion applies only to a hint the user left untouched; same-text additions are skipped', () => {
  const base = kbOf(h('h-1', 'One.'), h('h-2', 'Two.'));
  const r = mergeKb(base, kbOf(h('h-9', 'Nine.'), h('h-8', 'one')), kbOf(h('h-1', 'One.'), h('h-2', 'Two!', { notes: 'kept' })));
  // h-8 ("one") has the same normalised text as h-1, but the merge removes h-1: h-8 is added.
  assert.deepEqual(ids(r.kb), ['h-2', 'h-9', 'h-8']);
  assert.deepEqual(r.skipped, [{ id: 'h-2', reason: 'edited-by-user' }]);
  const r3 = mergeKb(kbOf(), kbOf(h('h-8', 'one.')), kbOf(h('h-1', 'One')));
  assert.deepEqual(ids(r3.kb), ['h-1']);
  assert.deepEqual(r3.skipped, [{ id: 'h-8', reason: 'same-text' }]);
});

test('mergeKbText keeps the user\'s formatting and only inserts our hints', () => {
  const theirsText = '{\n    "version": 1,\n    "dataset": "d",\n    "hints": [\n        {"id": "h-1", "text": "One, edited."}\n    ]\n}\n';
  const base = kbOf(h('h-1', 'One.'));
  const ours = kbOf(h('h-1', 'One.'), h('h-2', 'Two.'));
  const r = mergeKbText(theirsText, base, ours);
  assert.ok(r.text.startsWith('{\n    "version": 1,\n    "dataset": "d",\n    "hints": [\n        {"id": "h-1", "text": "One, edited."},'), r.text);
  const parsed = parseKbText(r.text);
  assert.deepEqual(parsed.kb, r.kb);
  assert.deepEqual(ids(r.kb), ['h-1', 'h-2']);
  assert.ok(r.text.endsWith('}\n'));
  assert.throws(() => mergeKbText('{"version": 1, "hints": [', base, ours), /cannot merge/);
});

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'kb-merge-'));
}

test('saveKbMerged: unchanged file is written as desired; missing file is created', async () => {
  const dir = tmp();
  const path = join(dir, 're2llm', 'd.hints.json');
  const snap0 = await loadKbFile(path, 'd');
  assert.equal(snap0.text, null);
  const r1 = await saveKbMerged(path, snap0, { ...snap0.kb, hints: [h('h-1', 'One.')] });
  assert.equal(r1.merged, false);
  assert.deepEqual(ids(JSON.parse(readFileSync(path, 'utf8')) as HintKb), ['h-1']);
  const r2 = await saveKbMerged(path, r1.snapshot, { ...r1.snapshot.kb, hints: [...r1.snapshot.kb.hints, h('h-2', 'Two.')] });
  assert.equal(r2.merged, false);
  assert.equal(readFileSync(path, 'utf8'), r2.snapshot.text);
  assert.deepEqual(ids(r2.snapshot.kb), ['h-1', 'h-2']);
  rmSync(dir, { recursive: true });
});

test('saveKbMerged: hand edits made while a run appends hints survive every save', async () => {
  const dir = tmp();
  const path = join(dir, 'd.hints.json');
  writeFileSync(path, formatKb(kbOf(h('h-0', 'Existing hint.'))));
  let snap = await loadKbFile(path);
  // The "run" appends 6 hints, one save each; the "user" edits the file between some saves.
  const userEdits: Record<number, (k: HintKb) => void> = {
    1: (k) => (k.hints[0]!.text = 'Existing hint, reworded by hand.'),
    2: (k) => (k.hints = k.hints.filter((x) => x.id !== 'h-r1')), // deletes a hint the run added
    3: (k) => k.hints.push(h('h-manual', 'A hint typed by hand.', { source: 'manual' })),
    4: (k) => (k.hints.find((x) => x.id === 'h-r2')!.enabled = false),
  };
  for (let i = 1; i <= 6; i++) {
    const edit = userEdits[i];
    if (edit) {
      const current = JSON.parse(readFileSync(path, 'utf8')) as HintKb;
      edit(current);
      writeFileSync(path, JSON.stringify(current, null, 4)); // the user's editor formats differently
    }
    const desired: HintKb = { ...snap.kb, hints: [...snap.kb.hints, h(`h-r${i}`, `Run hint number ${i}.`)] };
    const r = await saveKbMerged(path, snap, desired);
    assert.equal(r.merged, !!edit, `save ${i}`);
    snap = r.snapshot;
  }
  const final = JSON.parse(readFileSync(path, 'utf8')) as HintKb;
  assert.deepEqual(final, snap.kb);
  assert.deepEqual(ids(final), ['h-0', 'h-r2', 'h-manual', 'h-r3', 'h-r4', 'h-r5', 'h-r6']);
  assert.equal(final.hints[0]!.text, 'Existing hint, reworded by hand.');
  assert.equal(final.hints[1]!.enabled, false);
  assert.equal(final.hints[2]!.source, 'manual');
  // The user's 4-space formatting is kept for the hints appended after their last save.
  assert.match(readFileSync(path, 'utf8'), /\n        \{\n            "id": "h-r6",/);
  assert.ok(!existsSync(`${path}.tmp`));
  rmSync(dir, { recursive: true });
});

test('saveKbMerged refuses to write over a file that is mid-edit (invalid JSON) and names it', async () => {
  const dir = tmp();
  const path = join(dir, 'd.hints.json');
  writeFileSync(path, formatKb(kbOf(h('h-0', 'Existing.'))));
  const snap = await loadKbFile(path);
  writeFileSync(path, '{"version": 1, "hints": [');
  await assert.rejects(saveKbMerged(path, snap, { ...snap.kb, hints: [...snap.kb.hints, h('h-1', 'New.')] }), (e: Error) => e.message.includes(path) && /not saved/.test(e.message));
  assert.equal(readFileSync(path, 'utf8'), '{"version": 1, "hints": [');
  rmSync(dir, { recursive: true });
});

test('saveKbMerged: a KB file deleted during the run comes back with only the run\'s new hints', async () => {
  const dir = tmp();
  const path = join(dir, 'd.hints.json');
  writeFileSync(path, formatKb(kbOf(h('h-0', 'Existing.'))));
  const snap = await loadKbFile(path);
  rmSync(path);
  const r = await saveKbMerged(path, snap, { ...snap.kb, hints: [...snap.kb.hints, h('h-1', 'New.')] });
  assert.deepEqual(ids(JSON.parse(readFileSync(path, 'utf8')) as HintKb), ['h-1']);
  assert.equal(r.merged, true);
  rmSync(dir, { recursive: true });
});

test('loadKbFile names the file and line of a bad KB', async () => {
  const dir = tmp();
  const path = join(dir, 'bad.hints.json');
  writeFileSync(path, '{\n  "version": 1,\n  "hints": [\n    {"id": "bad id", "text": "x"}\n  ]\n}\n');
  await assert.rejects(loadKbFile(path), (e: Error) => e.message.startsWith(`${path}:4 (field "hints.0.id")`));
  rmSync(dir, { recursive: true });
});
