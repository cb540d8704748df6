import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resumeInputs, assertEmptyRunDir } from '../../src/cli/commands/train';
import { defaultConfig } from '../../src/core/config/defaults';

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
  // The same run folder as every front end writes: summary.json included, the stage lock released.
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')), s);
  assert.equal(existsSync(join(out, 'stage.lock')), false);
  assert.match(r.stderr, /training worker: .* pid \d+ ran [\d.]+s, exit code 0/);
  const again = cli(['train', '--resume', out, '--json']);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).steps, 256);
  const bad = cli(['train', '--resume', join(out, 'nope'), '--json']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /nope\/config\.json: not a training run folder/);
});

test('re2llm train -o refuses an existing non-empty folder without --resume (exit 2, folder named)', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'train-cli-')), 'old-run');
  mkdirSync(join(out, 'checkpoints'), { recursive: true });
  writeFileSync(join(out, 'checkpoints', 'best.json'), '{}');
  const r = cli(['train', '--bandit', BANDIT, '--steps', '64', '--out', out, '--json']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /old-run: the run folder is not empty \(checkpoints\); continue that run with --resume/);
  assert.equal(JSON.parse(r.stdout).kind, 'InputError', 'the --json error document');
  assert.ok(!existsSync(join(out, 'worker.log')), 'refused before a worker started');
});

test('assertEmptyRunDir: a missing or empty folder is fine; a file or a non-empty folder is refused', () => {
  const root = mkdtempSync(join(tmpdir(), 'train-empty-'));
  assertEmptyRunDir(join(root, 'missing'));
  mkdirSync(join(root, 'empty'));
  assertEmptyRunDir(join(root, 'empty'));
  writeFileSync(join(root, 'file'), 'x');
  assert.throws(() => assertEmptyRunDir(join(root, 'file')), /file: exists and is not a folder/);
  assert.throws(() => assertEmptyRunDir(root), /train-empty-\w+: the run folder is not empty \(/);
});

test('train --resume takes the config, base folder, KB path and bandit file the run recorded; bad JSON names the file', async () => {
  const run = mkdtempSync(join(tmpdir(), 'train-resume-'));
  const ID = { datasetHash: 'd', kbFingerprint: 'k', hintIds: ['none', 'a'] };
  const config = defaultConfig();
  writeFileSync(join(run, 'config.json'), JSON.stringify(config));
  writeFileSync(join(run, 'manifest.json'), JSON.stringify({ ...ID, problem: 'llm', kbPath: '/kbs/movies.hints.json', baseDir: '/projects/study' }));
  assert.deepEqual(await resumeInputs(run, '/elsewhere'), { config, baseDir: '/projects/study', kbPath: '/kbs/movies.hints.json' });
  // An older manifest without baseDir falls back to the current folder.
  writeFileSync(join(run, 'manifest.json'), JSON.stringify({ ...ID, problem: 'synthetic', source: '/b/bandit.json' }));
  assert.deepEqual(await resumeInputs(run, '/elsewhere'), { config, baseDir: '/elsewhere', bandit: '/b/bandit.json' });
  writeFileSync(join(run, 'manifest.json'), JSON.stringify({ ...ID, problem: 'llm', kbPath: 7 }));
  await assert.rejects(resumeInputs(run), /manifest\.json \(field "kbPath"\): must be a non-empty string/);
  writeFileSync(join(run, 'manifest.json'), '{"problem": ');
  await assert.rejects(resumeInputs(run), /train-resume-\w+\/manifest\.json: invalid JSON/);
  writeFileSync(join(run, 'config.json'), '{not json');
  await assert.rejects(resumeInputs(run), /train-resume-\w+\/config\.json: invalid JSON/);
  writeFileSync(join(run, 'config.json'), JSON.stringify(config));
  require('node:fs').rmSync(join(run, 'manifest.json'));
  await assert.rejects(resumeInputs(run), /manifest\.json: not a training run folder: cannot read manifest\.json \(ENOENT\)/);
});
