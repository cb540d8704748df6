import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactUrl } from '../../../src/core/llm/redactUrl';

test('recorded endpoint URLs lose user info and query strings, and say so', () => {
  assert.equal(redactUrl('http://127.0.0.1:8000/v1'), 'http://127.0.0.1:8000/v1');
  assert.equal(redactUrl('https://user:s3cret@gw.example.invalid/v1?api-key=abc'), 'https://gw.example.invalid/v1 (credentials removed)');
  assert.equal(redactUrl('not a url'), 'not a url');
});

test('endpoint identity (cache keys and records) drops credentials and secret query parameters only', async () => {
  const { endpointIdentity, urlSecrets } = await import('../../../src/core/llm/redactUrl');
  assert.equal(endpointIdentity('http://127.0.0.1:8000/v1'), 'http://127.0.0.1:8000/v1');
  assert.equal(endpointIdentity('https://u:pw@gw.example.invalid/v1?api-version=2024&api-key=abc&sig=x&token=t&access_token=a&key=k'), 'https://gw.example.invalid/v1?api-version=2024');
  assert.equal(endpointIdentity('https://gw.example.invalid/v1?api-key=abc'), 'https://gw.example.invalid/v1');
  assert.equal(endpointIdentity('sim://v2/abc/seed-1'), 'sim://v2/abc/seed-1');
  assert.deepEqual(urlSecrets('https://user:s3cret@gw.example.invalid/v1?api-key=abcd&v=1').sort(), ['abcd', 's3cret', 'user']);
});
