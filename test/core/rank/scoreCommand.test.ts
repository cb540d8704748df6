/** `re2llm score` end to end through the CLI entry (in a child process: the CLI prints). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const FIX = join(ROOT, 'test/fixtures/answers-jsonl');

function score(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'score', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--json prints one document with n, metrics with intervals and parse counts', () => {
  const r = score('--dataset', join(FIX, 'dataset'), '--answers', join(FIX, 'answers.jsonl'), '--mode', 'normalised', '--json');
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.n, 3);
  assert.equal(doc.mode, 'normalised');
  assert.equal(doc.metrics['HR@5'].mean, 2 / 3);
  assert.ok(doc.metrics.MRR.ciLow <= doc.metrics.MRR.mean);
  assert.equal(doc.counts.unparsable, 1);
  assert.equal(doc.sessions, undefined);
  assert.equal(typeof doc.dataset.hash, 'string');
});

test('text output and a bad answers file (exit 2, file:line in the message)', () => {
  const ok = score('-d', join(FIX, 'dataset'), '-a', join(FIX, 'answers.jsonl'), '--mode', 'exact');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Scored 3 answers .* mode exact/);
  assert.match(ok.stdout, /HR@10 +0\.0000/);
  const bad = score('-d', join(FIX, 'dataset'), '-a', join(ROOT, 'test/fixtures/answers-bad-jsonl/answers.jsonl'), '--json');
  assert.equal(bad.code, 2);
  assert.match(JSON.parse(bad.stdout).error, /answers\.jsonl:3 \(field "answer"\)/);
  const mode = score('-d', join(FIX, 'dataset'), '-a', join(FIX, 'answers.jsonl'), '--mode', 'loose');
  assert.equal(mode.code, 1);
  assert.match(mode.stderr, /argument 'loose' is invalid. Allowed choices are exact, normalised, fuzzy/);
});
