/**
 * `re2llm demo` end to end at a small scale: the whole pipeline against the in-process simulator,
 * then a second run that must reuse every stage and make no LLM call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const SMALL = ['--set', 'agent.steps=256', '--set', 'evaluation.testSample=20', '--set', 'reflection.targetHints=3', '--set', 'evaluation.bootstrap=50', '--set', 'agent.validateEvery=2'];

function demo(out: string, extra: string[] = []) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'demo', '--json', '-o', out, ...SMALL, ...extra], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true', OPENAI_API_KEY: '' }, timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('demo: import, reflect, train in the worker, evaluate, report; a rerun reuses every stage with 0 calls', { timeout: 300_000 }, () => {
  const out = join(mkdtempSync(join(tmpdir(), 'demo-cli-')), 'demo');
  const first = demo(out);
  assert.equal(first.code, 0, first.stderr);
  const s = JSON.parse(first.stdout);
  assert.equal(s.simulated, true);
  assert.deepEqual([s.dataset.train, s.dataset.validation, s.dataset.test], [400, 80, 1000]);
  assert.equal(s.kbHints, 3);
  assert.equal(s.training.skipped, false);
  // The reward table is asked ahead of the rollouts (at the concurrency limit): PPO reads the cache.
  assert.equal(s.training.calls, 0, `the worker made ${s.training.calls} calls`);
  assert.ok(s.usage.calls >= s.training.callBound, `${s.usage.calls} calls, the table alone is ${s.training.callBound}`);
  assert.equal(s.evaluation.results.conditions.find((c: { condition: string }) => c.condition === 'agent').n, 20);
  assert.ok(existsSync(s.reportPath), 'report.html written');
  assert.match(readFileSync(s.reportPath, 'utf8'), /<script type="application\/json" id="re2llm-data"/, 'the data is embedded');
  assert.ok(s.usage.calls > 0);
  assert.match(first.stderr, /\[train\] done in/);

  const again = demo(out);
  assert.equal(again.code, 0, again.stderr);
  const t = JSON.parse(again.stdout);
  assert.deepEqual([t.usage.calls, t.training.skipped, t.evaluation.skipped], [0, true, true]);
  assert.match(JSON.stringify(t.reflection), /already holds 3 enabled hints/);
  assert.deepEqual(t.evaluation.results.conditions, s.evaluation.results.conditions);
});

test('demo: a bad setting is refused with the setting named, before anything runs', () => {
  const r = demo(join(mkdtempSync(join(tmpdir(), 'demo-bad-')), 'demo'), ['--set', 'agent.preset=ppo2']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--set: invalid configuration: \/agent\/preset/);
});
