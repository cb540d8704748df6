import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHfTokenizer } from '../../../src/core/encode/tokenizer';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'tokenizer-wordpiece');

test('a real tokenizer.json goes through @huggingface/tokenizers: lowercasing, WordPiece, [CLS]/[SEP]', async () => {
  const tok = await loadHfTokenizer(FIXTURE);
  // [CLS] the star ##s movie [SEP]
  assert.deepEqual(tok.encode('The Stars Movie', 128), { ids: [2, 4, 6, 7, 5, 3], attentionMask: [1, 1, 1, 1, 1, 1] });
  // Unknown words map to [UNK]; truncation keeps the first maxLength tokens.
  assert.deepEqual(tok.encode('Star Trek', 128).ids, [2, 6, 1, 3]);
  assert.deepEqual(tok.encode('the movie the movie', 3).ids, [2, 4, 5]);
});

test('a missing or unreadable tokenizer.json is a clear error naming the encoder and the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tok-'));
  await assert.rejects(loadHfTokenizer(dir), /encoder onnx: .*tokenizer\.json not found/);
  writeFileSync(join(dir, 'tokenizer.json'), '{"model": {"type": "NoSuchModel"}}');
  await assert.rejects(loadHfTokenizer(dir), /encoder onnx: .*tokenizer\.json is not a tokenizer @huggingface\/tokenizers can read/);
});
