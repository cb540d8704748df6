import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactUrl } from '../../../src/core/llm/redactUrl';

test('recorded endpoint URLs lose user info and query strings, and say so', () => {
  assert.equal(redactUrl('http://127.0.0.1:8000/v1'), 'http://127.0.0.1:8000/v1');
  assert.equal(redactUrl('https://user:s3cret@gw.example.invalid/v1?api-key=abc'), 'https://gw.example.invalid/v1 (credentials removed)');
  assert.equal(redactUrl('not a url'), 'not a url');
});
