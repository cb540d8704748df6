import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../src/core/util/fs';

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
