/**
 * The fault suite at small scale: the whole pipeline (`re2llm run`) against the simulator with
 * the fault mix (20% 429 with Retry-After 1 s, 20% 500, 5% malformed, 2% never
 * answered), SIGKILLed during evaluation and rerun, must end with the same KB, metrics,
 * per-session outcomes and rankings as a fault-free run. `npm run bench:faults` is the full scale.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimServer } from '../../src/core/sim/server';
import { FAULT_MIX, fingerprint, ROOT, runCli, runSettings, startSim } from './helpers';

/** 20 training, 6 validation and 8 test sessions of hetrec with 15 candidates each. */
const DATASET = join(ROOT, 'test', 'fixtures', 'eval-sim');
const SMALL = {
  'dataset.path': DATASET,
  'dataset.name': 'eval-sim',
  'reflection.targetHints': 2,
  'agent.steps': 128,
  'agent.validateEvery': 1,
  'evaluation.bootstrap': 20,
  // Rare enough that no request runs out of retries at this fault rate (0.44^13 ≈ 2e-5 per request),
  // so the faulty run must match exactly; exhausted retries are covered in test/core/llm.
  'llm.maxRetries': 12,
  'llm.timeoutMs': 1500,
  'llm.concurrency': 8,
};

const KEY = 'sk-PLANTED-fault-suite-key-31d0';
const QUERY_SECRET = 'PLANTED-query-secret-5e7b';
const env = { OPENAI_API_KEY: KEY };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? filesUnder(join(dir, f)) : [join(dir, f)]));
}

const servers: SimServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

test('faults and a SIGKILL during the run, then a rerun: the same results as a fault-free run', { timeout: 600_000 }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 're2llm-faults-'));
  const clean = await startSim({}, DATASET);
  const faulty = await startSim(FAULT_MIX, DATASET);
  servers.push(clean.sim, faulty.sim);

  const refDir = join(root, 'reference');
  const ref = await runCli(runSettings(`${clean.sim.url}?api-key=${QUERY_SECRET}`, clean.endpointId, refDir, SMALL), { env });
  assert.equal(ref.code, 0, ref.stderr);
  const refSummary = JSON.parse(ref.stdout) as { kbHints: number; training: unknown };
  assert.ok(refSummary.kbHints > 0 && refSummary.training, 'every stage ran: reflection found hints, the agent trained');

  const dir = join(root, 'faulty');
  const args = runSettings(`${faulty.sim.url}?api-key=${QUERY_SECRET}`, faulty.endpointId, dir, SMALL);
  const killed = await runCli(args, { env, killWhen: /\[evaluate\] /m });
  assert.equal(killed.signal, 'SIGKILL', `the run was to be killed during evaluation: ${killed.stderr.slice(-500)}`);
  const rerun = await runCli(args, { env });
  assert.equal(rerun.code, 0, rerun.stderr);
  const summary = JSON.parse(rerun.stdout) as { usage: { calls: number; retries: number; failures: number } };
  t.diagnostic(`fault-free ${ref.ms} ms; faulty ${killed.ms} ms until SIGKILL + rerun ${rerun.ms} ms (${summary.usage.calls} calls, ${summary.usage.retries} retries, ${summary.usage.failures} failures)`);
  assert.ok(summary.usage.retries > 0, 'faults were met and retried');
  const faults = faulty.sim.stats().faults;
  assert.ok((faults['429'] ?? 0) > 0 && (faults['500'] ?? 0) > 0, JSON.stringify(faults));

  const a = fingerprint(refDir);
  const b = fingerprint(dir);
  assert.deepEqual(b.kb, a.kb, 'same KB');
  assert.deepEqual(b.results, a.results, 'same metrics, tests, hint statistics and per-session outcomes');
  assert.deepEqual(b.predictions, a.predictions, 'same answers and rankings');
  // Neither the planted key nor the query secret is in any file the tool wrote (cache, run folders, KB, report).
  const written = filesUnder(root);
  assert.ok(written.length > 10, `${written.length} files`);
  const leaks = written.filter((f) => {
    const text = readFileSync(f).toString('latin1');
    return text.includes(KEY) || text.includes(QUERY_SECRET);
  });
  assert.deepEqual(leaks, []);
});
