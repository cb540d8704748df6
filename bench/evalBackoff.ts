/**
 * Evaluation under 429s: `npx tsx bench/evalBackoff.ts [c]` (env R429, default 0.2) runs
 * no-hint, random-hint and oracle on 60 hetrec-mini test sessions against the simulator in a
 * worker (200 ms a request, that share of 429s with Retry-After 1 s, llm.maxRetries 4) and prints
 * wall time, calls, retries and failures. ROOT=<another checkout> runs that checkout's code
 * against the same simulator, for a before/after (README, "Failed requests").
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const ROOT = process.env.ROOT ?? join(__dirname, '..');
async function main() {
  const { resolveConfig } = await import(`${ROOT}/src/core/config/resolve`);
  const { loadDataset } = await import(`${ROOT}/src/core/data/load`);
  const { createLlmClient, ResponseCache } = await import(`${ROOT}/src/core/llm`);
  const { runEvaluation } = await import(`${ROOT}/src/core/evaluate/runEvaluation`);
  const { startSimInWorker } = await import('./simInWorker');
  const CONFIG_FILE = join(__dirname, '..', 'examples', 're2llm.config.json');
  const { config: base } = resolveConfig({ configFile: CONFIG_FILE });
  const dataset = await loadDataset(base);
  const c = Number(process.argv[2] ?? 16);
  const sim = await startSimInWorker({ configFile: CONFIG_FILE, seed: 1, faults: { latencyMs: 200, rate429: Number(process.env.R429 ?? 0.2), retryAfterS: 1 } });
  const tmp = mkdtempSync(join(tmpdir(), 'ev429-'));
  const config = structuredClone(base);
  config.llm = { ...config.llm, baseUrl: sim.url, model: 'sim', endpointId: 'sim://ev429', concurrency: c, cacheDir: join(tmp, 'c'), maxRetries: 4 };
  config.output = { ...config.output, runsDir: join(tmp, 'runs') };
  config.evaluation = { ...config.evaluation, conditions: ['no-hint', 'random-hint', 'oracle'], testSample: 60, bootstrap: 50, permutations: 50 };
  const kb = { version: 1, hints: ['Favour movies from the decade of the recent ones.', 'Weigh the genres that recur in the history.', 'Look for directors who appear repeatedly in the history.'].map((text, i) => ({ id: `h${i}`, text })) };
  const client = createLlmClient(config, { cache: await ResponseCache.open(config.llm.cacheDir) });
  const t0 = performance.now();
  await runEvaluation({ dataset, client, config, kb, runDir: join(tmp, 'eval') });
  const u = client.usage();
  console.log(JSON.stringify({ root: ROOT, c, wall: ((performance.now() - t0) / 1000).toFixed(2), calls: u.calls, retries: u.retries, failures: u.failures }));
  await sim.close();
}
void main();
