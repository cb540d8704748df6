import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateKb } from '../../../src/core/kb/validate';
import { emptyKb } from '../../../src/core/kb/types';
import { formatKb } from '../../../src/core/kb/index';
import { editorDiagnostics } from '../../../src/extension/kb/editorDiagnostics';

test('a JSON typo is left to VS Code\'s JSON service: the editor gets no duplicate from the extension', () => {
  const broken = '{ "version": 1, "hints": [ { "id": "h-1", "text": "Favour the same decade." }, ] ';
  const all = validateKb(broken, { maxHintChars: 300 });
  assert.ok(all.some((d) => d.code === 'parse'), 'the core still reports the syntax error (Validate Hint KB, CLI)');
  assert.deepEqual(editorDiagnostics(all).filter((d) => d.code === 'parse' || d.code === 'schema'), []);
});

test('semantic findings still reach the editor', () => {
  const text = JSON.stringify({ version: 1, hints: [{ id: 'h-1', text: 'Same decade.' }, { id: 'h-2', text: 'Same decade.' }] });
  assert.deepEqual(editorDiagnostics(validateKb(text, { maxHintChars: 300 })).map((d) => d.code), ['duplicate-text']);
});

test('a new KB carries no $schema URL (the manifest\'s jsonValidation applies it offline)', () => {
  const text = formatKb(emptyKb('toy'));
  assert.doesNotMatch(text, /\$schema|https?:/);
  assert.deepEqual(validateKb(text, { maxHintChars: 300 }), []);
});
