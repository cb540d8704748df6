import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { patchFromFlags } from '../../../src/cli/commands/runs';

const ROOT = join(__dirname, '..', '..', '..');

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'runs-cli-'));
  cpSync(join(ROOT, 'test', 'fixtures', 'results-compare'), dir, { recursive: true });
  return dir;
}

test('runs annotate --json: name, star and notes written to results.json; one JSON document on stdout', () => {
  const dir = runDir();
  const r = cli(['runs', 'annotate', dir, '--name', 'Paper PPO', '--star', '--notes', 'seed 7', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { run: '2026-11-26T2341-paper', dir, name: 'Paper PPO', starred: true, notes: 'seed 7' });
  const run = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).run;
  assert.deepEqual([run.name, run.starred, run.notes], ['Paper PPO', true, 'seed 7']);

  const u = cli(['runs', 'annotate', dir, '--unstar', '--notes', '']);
  assert.equal(u.code, 0, u.stderr);
  assert.equal(u.stdout.trim(), 'Paper PPO (2026-11-26T2341-paper)');
  const after = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).run;
  assert.equal(after.name, 'Paper PPO');
  assert.equal('starred' in after || 'notes' in after, false);
});

test('runs annotate: a folder without results.json, an over-long name, or no change exit 2 naming the problem', () => {
  const empty = mkdtempSync(join(tmpdir(), 'runs-cli-'));
  const m = cli(['runs', 'annotate', empty, '--star']);
  assert.equal(m.code, 2);
  assert.ok(m.stderr.includes(join(empty, 'results.json')), m.stderr);
  const dir = runDir();
  const before = readFileSync(join(dir, 'results.json'), 'utf8');
  const long = cli(['runs', 'annotate', dir, '--name', 'x'.repeat(201)]);
  assert.equal(long.code, 2);
  assert.match(long.stderr, /field "name"/);
  assert.equal(readFileSync(join(dir, 'results.json'), 'utf8'), before);
});

test('runs annotate flags: contradictory or empty requests are refused', () => {
  assert.throws(() => patchFromFlags({ star: true, unstar: true }), /contradict/);
  assert.throws(() => patchFromFlags({}), /nothing to change/);
  assert.deepEqual(patchFromFlags({ unstar: true, name: '' }), { name: '', starred: false });
});
