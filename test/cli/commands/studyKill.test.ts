/**
 * `re2llm study` SIGKILLed (with its worker, as a terminal's process group dies) while its second
 * cell runs: the next run finishes the study with the same numbers as an uninterrupted run, and a
 * third run makes no LLM call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'study'];
const ENV = { ...process.env, CI: 'true', OPENAI_API_KEY: '' };

function studyFile(dir: string): string {
  const path = join(dir, 'kill.study.json');
  writeFileSync(path, JSON.stringify({
    name: 'kill', llm: 'simulated',
    base: { settings: {
      'dataset.path': join(ROOT, 'test', 'fixtures', 'eval-sim'), 'dataset.name': 'eval-sim', 'agent.steps': 64, 'agent.validateEvery': 1,
      'reflection.maxSessions': 20, 'evaluation.conditions': ['no-hint', 'random-hint', 'agent'], 'evaluation.bootstrap': 20, 'encoder.kind': 'profile',
    } },
    axes: { 'reflection.targetHints': [2, 3] },
    seeds: { vary: ['agent.seed'], values: [1, 2] },
    comparisons: [{ a: { condition: 'agent' }, b: { condition: 'no-hint' } }],
    study: { parallel: 1, bootstrap: 100 },
  }));
  return path;
}

function run(file: string, out: string) {
  const r = spawnSync(process.execPath, [...CLI, file, '--json', '-o', out], { cwd: ROOT, encoding: 'utf8', env: ENV, timeout: 240_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const numbers = (s: { results: { groups: unknown; comparisons: unknown; complete: boolean } }) => ({ groups: s.results.groups, comparisons: s.results.comparisons, complete: s.results.complete });

test('a SIGKILLed study resumes to the numbers of an uninterrupted one; a finished one costs 0 calls', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'study-kill-'));
  const file = studyFile(dir);
  const whole = run(file, join(dir, 'whole'));
  assert.equal(whole.results.complete, true);

  const out = join(dir, 'killed');
  const child = spawn(process.execPath, [...CLI, file, '-o', out], { cwd: ROOT, env: ENV, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve) => {
    child.stderr!.on('data', (b: Buffer) => {
      log += b.toString();
      // The second cell has started training in its worker: kill the whole process group.
      if (/\[cell 2\/4\][\s\S]*training: preset/.test(log) && child.pid) {
        try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    });
    child.on('exit', () => resolve());
  });
  assert.match(log, /\[done 1\/4\]/, 'one cell finished before the kill');
  assert.doesNotMatch(log, /\[done 4\/4\]/, 'killed before the end');
  const states = readFileSync(join(out, 'cells', whole.results.cells[1].id, 'cell.json'), 'utf8');
  assert.match(states, /"status": "running"/, 'the killed cell is marked running');

  const resumed = run(file, out);
  assert.deepEqual(numbers(resumed), numbers(whole));
  const again = run(file, out);
  assert.equal(again.results.usage.calls, 0);
});
