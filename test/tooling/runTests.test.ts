/**
 * The test runner (scripts/run-tests.mjs) removes its run's temporary folder when it is stopped
 * (Ctrl-C, SIGTERM) as it does at the end of a run: a stopped run used to leave it behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

const ROOT = join(__dirname, '..', '..');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`a run stopped by ${signal} while a test runs removes its temporary folder and exits 130`, { timeout: 120_000 }, async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'runner-'));
    try {
      const tests = join(scratch, 'tests');
      const tmp = join(scratch, 'tmp');
      mkdirSync(tests);
      mkdirSync(tmp);
      // A test that writes into its temporary folder, says so, and then waits to be stopped.
      writeFileSync(
        join(tests, 'waits.test.ts'),
        `import { test } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
test('waits', async () => {
  writeFileSync(join(mkdtempSync(join(tmpdir(), 'w-')), 'f'), 'x');
  console.log('WAITING');
  await new Promise((r) => setTimeout(r, 600_000));
});
`,
      );
      // Without NODE_TEST_CONTEXT: node's runner skips a run started from inside a test.
      const { NODE_TEST_CONTEXT: _inner, ...env } = process.env;
      const runner = spawn(process.execPath, [join(ROOT, 'scripts', 'run-tests.mjs'), 'unit'], {
        cwd: ROOT,
        env: { ...env, RE2LLM_TESTS_DIR: tests, TMPDIR: tmp, RE2LLM_KEEP_TEST_TMP: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      runner.stdout.on('data', (d: Buffer) => (out += d.toString()));
      runner.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = once(runner, 'exit');
      while (!out.includes('WAITING')) {
        await new Promise((r) => setTimeout(r, 50));
        if (runner.exitCode !== null) break;
      }
      const runTmp = /temporary folders in (\S+)/.exec(out)?.[1];
      assert.ok(runTmp && existsSync(runTmp), `the run's folder exists while the test runs: ${out}`);
      assert.ok(readdirSync(runTmp).length > 0, 'and holds what the test wrote');
      runner.kill(signal);
      const [code] = await exited;
      assert.equal(code, 130, out);
      assert.equal(existsSync(runTmp), false, `removed: ${out}`);
      assert.deepEqual(readdirSync(tmp), [], 'nothing left in TMPDIR');
      assert.match(out, new RegExp(`stopped by ${signal}`));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}
