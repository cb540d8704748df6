import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter, retryAfterFromHeaders, backoffDelayMs, isRetryableStatus, DEFAULT_BACKOFF } from '../../../src/core/llm/retry';
import { Rng } from '../../../src/core/util/rng';

test('Retry-After: seconds, fractions, HTTP dates, garbage', () => {
  assert.equal(parseRetryAfter('2'), 2000);
  assert.equal(parseRetryAfter(' 0.5 '), 500);
  const now = Date.parse('Fri, 27 Nov 2026 01:00:00 GMT');
  assert.equal(parseRetryAfter('Fri, 27 Nov 2026 01:00:07 GMT', now), 7000);
  assert.equal(parseRetryAfter('Fri, 27 Nov 2026 00:59:00 GMT', now), 0, 'a date in the past means now');
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(''), undefined);
  assert.equal(parseRetryAfter(null), undefined);
  assert.equal(parseRetryAfter('-3'), undefined);
  const h: Record<string, string> = { 'retry-after-ms': '250', 'retry-after': '9' };
  assert.equal(retryAfterFromHeaders((n) => h[n]), 250, 'retry-after-ms is preferred');
  assert.equal(retryAfterFromHeaders((n) => ({ 'retry-after': '9' } as Record<string, string>)[n]), 9000);
});

test('which statuses are retried', () => {
  for (const s of [408, 409, 429, 500, 502, 503, 504]) assert.equal(isRetryableStatus(s), true, String(s));
  for (const s of [400, 401, 403, 404, 422]) assert.equal(isRetryableStatus(s), false, String(s));
});

test('full jitter stays under the exponential ceiling and the cap; Retry-After is a floor', () => {
  const rng = new Rng(1);
  const opts = { baseMs: 100, capMs: 1000, maxRetryAfterMs: 5000 };
  for (let attempt = 0; attempt < 8; attempt++) {
    const ceiling = Math.min(1000, 100 * 2 ** attempt);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelayMs(attempt, rng, opts);
      assert.ok(d >= 0 && d < ceiling, `attempt ${attempt}: ${d}`);
    }
  }
  assert.ok(backoffDelayMs(0, rng, opts, 3000) >= 3000);
  assert.equal(backoffDelayMs(0, rng, opts, 60_000), 5000, 'an absurd Retry-After is capped');
  assert.ok(DEFAULT_BACKOFF.capMs >= DEFAULT_BACKOFF.baseMs);
});
