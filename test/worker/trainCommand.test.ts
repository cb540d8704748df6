import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const BANDIT = join(ROOT, 'test/fixtures/bandit-tiny/bandit.json');
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });

test('re2llm train --bandit runs the worker, prints one JSON summary, and --resume of a finished run ends at once', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'train-cli-')), 'run');
  const r = cli(['train', '--bandit', BANDIT, '--steps', '256', '--out', out, '--json', '--set', 'agent.validateEvery=2']);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.steps, 256);
  assert.equal(s.cancelled, false);
  assert.ok(existsSync(join(out, 'agent.onnx')));
  assert.match(r.stderr, /training worker: .* pid \d+ ran [\d.]+s, exit code 0/);
  const again = cli(['train', '--resume', out, '--json']);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).steps, 256);
  const bad = cli(['train', '--resume', join(out, 'nope'), '--json']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /nope\/config\.json: not a training run folder/);
});
