import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectFormat } from '../../../src/core/data/detect';
import { InputError } from '../../../src/core/util/errors';
import { fixture, sharedDataset } from './helpers';

test('detectFormat recognises each format by its files, in both authors layouts', async () => {
  assert.equal(await detectFormat(sharedDataset('hetrec2011-movielens')), 'authors');
  assert.equal(await detectFormat(fixture('data-authors-flat')), 'authors');
  assert.equal(await detectFormat(sharedDataset('ml-100k-recbole')), 'recbole');
  assert.equal(await detectFormat(fixture('data-recbole-sessions')), 'recbole');
  assert.equal(await detectFormat(fixture('data-jsonl-basic')), 'jsonl');
  assert.equal(await detectFormat(fixture('data-jsonl-title-only')), 'jsonl');
  assert.equal(await detectFormat(fixture('data-csv-basic')), 'csv');
  assert.equal(await detectFormat(fixture('data-csv-sessions'), { csvInteractions: 'sessions.csv' }), 'csv');
  assert.equal(await detectFormat(join(__dirname, '..', '..', '..', 'examples', 'hetrec-mini')), 'jsonl');
});

test('detectFormat explains what it looked for; a missing folder or a file is named', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'detect-'));
  await assert.rejects(detectFormat(empty), (err: unknown) => err instanceof InputError && err.file === empty && /items\.jsonl.*example_train\.txt.*\.inter.*interactions\.csv/.test(err.message));
  await assert.rejects(detectFormat(join(empty, 'nope')), /nope: dataset folder not found/);
  const file = join(empty, 'x.txt');
  writeFileSync(file, '');
  await assert.rejects(detectFormat(file), /x\.txt: dataset path is not a folder/);
  writeFileSync(join(empty, 'a.inter'), '');
  writeFileSync(join(empty, 'b.inter'), '');
  await assert.rejects(detectFormat(empty), /several \.inter files/);
});
