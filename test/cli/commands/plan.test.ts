import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pilotFromResults } from '../../../src/core/metrics/plan';
import { sessionsNeeded } from '../../../src/core/metrics/power';
import type { ResultsFile } from '../../../src/protocol/results';

const ROOT = join(__dirname, '..', '..', '..');
const PILOT = join(ROOT, 'test', 'fixtures', 'results-full');

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('re2llm plan: sessions from the largest primary SD, free on a loopback endpoint unless priced; bad flags named', () => {
  const results = JSON.parse(readFileSync(join(PILOT, 'results.json'), 'utf8')) as ResultsFile;
  const pairs = [{ a: 'agent', b: 'no-hint' }, { a: 'agent', b: 'random-hint' }, { a: 'agent', b: 'best-fixed-hint' }];
  const sd = Math.max(...pilotFromResults(results, pairs, 'NDCG@10').map((p) => p.sd));
  const r = cli(['plan', PILOT, '--effect', '0.02,0.05', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.pilot.comparisons.length, 3);
  assert.ok(Math.abs(doc.sd - sd) < 1e-12);
  assert.deepEqual(doc.plan.map((p: { sessions: number }) => p.sessions), [sessionsNeeded(sd, 0.02), sessionsNeeded(sd, 0.05)]);
  // the fixture's endpoint is loopback: cost 0 unless prices are set
  assert.equal(doc.prices.free, true);
  assert.equal(doc.plan[0].withoutOracle.cost ?? 0, 0);
  const priced = JSON.parse(cli(['plan', PILOT, '--json', '--set', 'llm.inputCostPerMTok=1', '--set', 'llm.outputCostPerMTok=2']).stdout);
  assert.equal(priced.prices.free, false);
  if (priced.tokens) assert.ok(priced.plan[0].withoutOracle.cost > 0);
  // the oracle asks every action per session: |KB| + 1 calls
  assert.equal(doc.plan[0].withOracle.calls, doc.plan[0].sessions * (doc.hints + 1));
  const bad = cli(['plan', PILOT, '--effect', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--effect/);
});
