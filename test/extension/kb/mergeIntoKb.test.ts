import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeIntoKb } from '../../../src/extension/kb/mergeIntoKb';
import { formatKb } from '../../../src/core/kb/store';
import type { HintKb } from '../../../src/core/kb/types';
import { FakeVs } from '../fakes/fakeVscode';
import { FakeCore } from '../fakes/fakeCore';

const base: HintKb = { version: 1, dataset: 'toy', hints: [{ id: 'h-1', text: 'Prefer sequels of what was watched.' }, { id: 'h-2', text: 'Mind the decade.' }] };
const desired: HintKb = { ...base, hints: [...base.hints, { id: 'h-3', text: 'Directors matter more than genres.', source: 'reflection' }] };

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'kb-merge-'));
  const path = join(dir, 'toy.hints.json');
  const baseText = formatKb(base);
  writeFileSync(path, baseText);
  return { path, baseText, vs: new FakeVs(), core: new FakeCore() };
}

test('dirty buffer: new hints merged into the buffer by an edit, the user edit kept, the disk untouched', async () => {
  const { path, baseText, vs, core } = setup();
  // The user edited h-1 and deleted h-2 without saving.
  const userText = baseText.replace('Prefer sequels of what was watched.', 'Prefer sequels (edited by hand).').replace(/,\s*\{\s*"id": "h-2",\s*"text": "Mind the decade."\s*\}/, '');
  assert.notEqual(userText, baseText);
  vs.docs.set(path, { path, text: userText, isDirty: true, version: 5 });
  const out = await mergeIntoKb(vs.workspace, core, path, { text: baseText, kb: base }, desired);
  assert.deepEqual(out, { where: 'buffer', hints: 2 });
  assert.equal(readFileSync(path, 'utf8'), baseText, 'the file on disk was written under unsaved edits');
  const buffer = vs.docs.get(path)!.text;
  assert.match(buffer, /Prefer sequels \(edited by hand\)\./);
  assert.doesNotMatch(buffer, /Mind the decade/, 'a deletion by the user came back');
  assert.match(buffer, /Directors matter more than genres\./);
  assert.equal(vs.edits.length, 1);
});

test('dirty buffer that does not parse: nothing written anywhere, hints stay staged', async () => {
  const { path, baseText, vs, core } = setup();
  vs.docs.set(path, { path, text: baseText.slice(0, 40), isDirty: true, version: 1 });
  const out = await mergeIntoKb(vs.workspace, core, path, { text: baseText, kb: base }, desired);
  assert.equal(out.where, 'staged');
  assert.equal(readFileSync(path, 'utf8'), baseText);
  assert.equal(vs.edits.length, 0);
});

test('the user types while we merge: the merge retries on the new buffer', async () => {
  const { path, baseText, vs, core } = setup();
  vs.docs.set(path, { path, text: baseText, isDirty: true, version: 1 });
  const replace = vs.workspace.replaceDocumentText;
  let first = true;
  vs.workspace.replaceDocumentText = async (p, v, t) => {
    if (first) {
      first = false;
      vs.docs.set(path, { path, text: baseText.replace('Mind the decade.', 'Mind the decade, typed meanwhile.'), isDirty: true, version: 2 });
      return false;
    }
    return replace(p, v, t);
  };
  const out = await mergeIntoKb(vs.workspace, core, path, { text: baseText, kb: base }, desired);
  assert.equal(out.where, 'buffer');
  assert.match(vs.docs.get(path)!.text, /typed meanwhile/);
  assert.match(vs.docs.get(path)!.text, /Directors matter/);
});

test('clean or closed document: merged save to disk, edits made on disk since the start kept', async () => {
  const { path, baseText, vs, core } = setup();
  writeFileSync(path, baseText.replace('Mind the decade.', 'Mind the decade (saved edit).'));
  vs.docs.set(path, { path, text: readFileSync(path, 'utf8'), isDirty: false, version: 1 });
  const out = await mergeIntoKb(vs.workspace, core, path, { text: baseText, kb: base }, desired);
  assert.deepEqual(out, { where: 'disk', hints: 3 });
  const disk = readFileSync(path, 'utf8');
  assert.match(disk, /saved edit/);
  assert.match(disk, /Directors matter/);
  assert.equal(vs.edits.length, 0);
});

test('no KB file yet: created with the new hints', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kb-new-'));
  const path = join(dir, 'toy.hints.json');
  const out = await mergeIntoKb(new FakeVs().workspace, new FakeCore(), path, { text: null, kb: { version: 1, hints: [] } }, desired);
  assert.deepEqual(out, { where: 'disk', hints: 3 });
  assert.ok(existsSync(path));
});
