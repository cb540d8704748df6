// Runs the test suites with node's built-in runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [unit|browser|e2e|all] [filter]
//   unit    test/**/*.test.ts except test/browser and test/e2e
//   browser test/browser/*.test.ts (Debian chromium + playwright-core)
//   e2e     test/e2e/*.test.ts (code-server; slow)
//   all     every tier (the default; what `npm test` and CI run)
// RE2LLM_TESTS_DIR names another folder of tests (the runner's own test uses it).
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const tier = process.argv[2] ?? 'all';
const filter = process.argv[3];
function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'fixtures') out.push(...walk(p)); }
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const root = process.env.RE2LLM_TESTS_DIR ?? 'test';
const all = walk(root).sort();
const isBrowser = (f) => f.startsWith(join(root, 'browser'));
const isE2e = (f) => f.startsWith(join(root, 'e2e'));
const tiers = {
  unit: all.filter((f) => !isBrowser(f) && !isE2e(f)),
  browser: all.filter(isBrowser),
  e2e: all.filter(isE2e),
};
const order = tier === 'all' ? ['unit', 'browser', 'e2e'] : [tier];
let failed = false;
// Every temporary folder the tests make (each test's workspace, caches, run folders, code-server's
// user data) goes under one folder for this run, removed at the end: repeated runs used to leave
// thousands of folders in the system's temp folder (12 GB on a developer machine).
// RE2LLM_KEEP_TEST_TMP=1 keeps it (its path is printed) to look at what a failing test wrote.
const runTmp = mkdtempSync(join(tmpdir(), 're2llm-tests-'));
const keepTmp = process.env.RE2LLM_KEEP_TEST_TMP === '1';
console.error(`[tests] temporary folders in ${runTmp}`);
// Ctrl-C (the whole process group gets it) or a SIGTERM to this runner: the test process is
// stopped, and the folder above removed before exiting, as at the end of a run.
let running;
let interrupted;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    interrupted ??= sig;
    running?.kill(sig);
  });
}
tiers: for (const t of order) {
  let files = tiers[t];
  if (!files) { console.error(`unknown tier ${t}`); process.exit(2); }
  if (filter) files = files.filter((f) => f.includes(filter));
  if (files.length === 0) { console.error(`[tests] tier ${t}: no test files`); continue; }
  // The e2e tier runs once per code-server (test/e2e/helpers/codeServer.ts CODE_SERVERS): the
  // oldest declared VS Code on Node 20, then a current one on Node 24. RE2LLM_CODE_SERVER=<name> runs one.
  const variants = t === 'e2e' ? (process.env.RE2LLM_CODE_SERVER ? [process.env.RE2LLM_CODE_SERVER] : ['oldest', 'current']) : [undefined];
  for (const v of variants) {
    console.error(`[tests] tier ${t}${v ? ` (code-server ${v})` : ''}: ${files.length} files`);
    const t0 = Date.now();
    running = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
      stdio: 'inherit',
      env: { ...process.env, RE2LLM_TEST: '1', TMPDIR: runTmp, ...(v ? { RE2LLM_CODE_SERVER: v } : {}) },
    });
    const [status] = await once(running, 'exit');
    running = undefined;
    if (interrupted) break tiers;
    if (v) console.error(`[tests] tier e2e (code-server ${v}): ${status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    if (status !== 0) failed = true;
  }
}
if (keepTmp) console.error(`[tests] temporary folders kept in ${runTmp}`);
else rmSync(runTmp, { recursive: true, force: true });
if (interrupted) console.error(`[tests] stopped by ${interrupted}`);
process.exit(interrupted ? 130 : failed ? 1 : 0);
