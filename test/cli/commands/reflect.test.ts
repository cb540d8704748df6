import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { harness } from '../../core/reflect/simHarness';

const ROOT = join(__dirname, '..', '..', '..');

after(async () => (await harness()).close());

/** Async: the simulator answers from this process while the CLI runs. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, env: { ...process.env, CI: 'true' } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('re2llm reflect: progress on stderr, a summary, the KB written; a second run continues with 0 calls', async () => {
  const h = await harness();
  const dir = h.tmp('reflect-cli');
  const kb = join(dir, 'hints.json');
  const args = [
    'reflect', '--config', join(ROOT, 'examples', 're2llm.config.json'), '--target-hints', '3', '--kb', kb,
    '--set', `llm.baseUrl=${h.sim.url}`, '--set', 'llm.model=sim', '--set', `llm.cacheDir=${join(dir, 'cache')}`, '--set', `output.runsDir=${join(dir, 'runs')}`,
  ];
  const r = await cli(args);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Reflection stopped: the KB reached its target size\./);
  assert.match(r.stdout, /accepted\s+3/);
  assert.match(r.stdout, /rejected\s+ineffective \d+, leak \d+, redundant \d+, empty \d+, overlong \d+/);
  assert.match(r.stdout, /this run\s+[1-9]\d* calls/);
  assert.match(r.stderr, /reflect: \d+\/300 KB \d\/3/);
  assert.equal((JSON.parse(readFileSync(kb, 'utf8')) as { hints: unknown[] }).hints.length, 3);

  const again = await cli([...args, '--json']);
  assert.equal(again.code, 0, again.stderr);
  const s = JSON.parse(again.stdout) as { resumed: boolean; stopReason: string; thisRun: { calls: number }; accepted: number; runDir: string };
  assert.deepEqual([s.resumed, s.stopReason, s.thisRun.calls, s.accepted], [true, 'target', 0, 3]);
  assert.ok(s.runDir.startsWith(join(dir, 'runs', 'reflect-hetrec-mini-')));

  const bad = await cli(['reflect', '--config', join(ROOT, 'examples', 're2llm.config.json'), '--target-hints', 'many']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--target-hints must be a positive integer/);
});
