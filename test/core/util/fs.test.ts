import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicSync } from '../../../src/core/util/fs';

test('writeFileAtomic replaces the file and leaves no temp file; a failed rename keeps the old content', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
  const f = join(dir, 'kb.json');
  writeFileSync(f, 'old');
  await writeFileAtomic(f, 'new');
  assert.equal(readFileSync(f, 'utf8'), 'new');
  assert.deepEqual(readdirSync(dir), ['kb.json']);
  // Renaming over a directory fails: the target stays and the temp file is removed.
  const d = join(dir, 'adir');
  mkdirSync(d);
  writeFileSync(join(d, 'x'), 'x');
  await assert.rejects(writeFileAtomic(d, 'data'));
  assert.deepEqual(readdirSync(dir).sort(), ['adir', 'kb.json']);
});

test('writeFileAtomicSync: the same contract without awaits (bytes or text; a failed rename keeps the old content, no temp file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atomic-sync-'));
  const f = join(dir, 'sub', 'checkpoint.json');
  writeFileAtomicSync(f, 'first ✓');
  assert.equal(readFileSync(f, 'utf8'), 'first ✓', 'the folder is made; text is written as UTF-8');
  writeFileAtomicSync(f, new TextEncoder().encode('second'));
  assert.equal(readFileSync(f, 'utf8'), 'second');
  assert.deepEqual(readdirSync(join(dir, 'sub')), ['checkpoint.json']);
  const d = join(dir, 'adir');
  mkdirSync(d);
  writeFileSync(join(d, 'x'), 'x');
  assert.throws(() => writeFileAtomicSync(d, 'data'));
  assert.deepEqual(readdirSync(dir).sort(), ['adir', 'sub']);
  assert.deepEqual(readdirSync(d), ['x']);
});
