/**
 * The fault suite's pieces, shared by the small-scale test and `npm run bench:faults`: a
 * simulator with or without the fault mix, the CLI `run` against it in a child process
 * (so it can be SIGKILLed), and the parts of a finished run that must not depend on faults.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../src/core/data/load';
import { resolveConfig } from '../../src/core/config/resolve';
import { silentLogger } from '../../src/core/util/log';
import { simEndpointId } from '../../src/core/sim/identity';
import { startSimServer, type SimServer } from '../../src/core/sim/server';
import type { SimFaults } from '../../src/core/sim/faults';

export const ROOT = join(__dirname, '..', '..');
export const CONFIG = join(ROOT, 'examples', 're2llm.config.json');
export const SIM_SEED = 1;
/** The fault mix: `--fault-429 0.2 --fault-500 0.2 --fault-malformed 0.05 --fault-timeout 0.02 --retry-after 1`. */
export const FAULT_MIX: SimFaults = { rate429: 0.2, rate500: 0.2, rateMalformed: 0.05, rateTimeout: 0.02, retryAfterS: 1 };

export async function startSim(faults: SimFaults = {}, datasetPath?: string): Promise<{ sim: SimServer; endpointId: string }> {
  const { config } = resolveConfig({ configFile: CONFIG, ...(datasetPath ? { layers: [{ source: 'fault suite', values: { 'dataset.path': datasetPath, 'dataset.name': 'fault-suite' } }] } : {}) });
  const dataset = await loadDataset(config, { logger: silentLogger });
  return { sim: await startSimServer({ dataset, seed: SIM_SEED, faults }), endpointId: simEndpointId(dataset.hash, SIM_SEED) };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * `re2llm run --json` in a child process. `killWhen`: SIGKILL the child as soon as its stderr
 * matches (the run is then cut at a random point of that stage).
 */
export function runCli(args: string[], opts: { killWhen?: RegExp; entry?: 'tsx' | 'dist'; env?: Record<string, string> } = {}): Promise<CliRun> {
  const t0 = Date.now();
  const cmd = opts.entry === 'dist' ? [join(ROOT, 'dist', 'cli.js')] : ['--import', require.resolve('tsx'), join(ROOT, 'src', 'cli', 'main.ts')];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...cmd, 'run', '--json', '--config', CONFIG, ...args], { cwd: ROOT, env: { ...process.env, CI: 'true', OPENAI_API_KEY: '', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (opts.killWhen?.test(stderr) && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 }));
  });
}

/** Settings of one pipeline run against the simulator at `url`, with its own cache and runs folders. */
export function runSettings(url: string, endpointId: string, dir: string, extra: Record<string, string | number> = {}): string[] {
  const settings: Record<string, string | number> = {
    'llm.baseUrl': url,
    'llm.endpointId': endpointId,
    'llm.model': 'sim-llm',
    'llm.cacheDir': join(dir, 'cache'),
    'output.runsDir': join(dir, 'runs'),
    'output.kbPath': join(dir, 'hints.json'),
    ...extra,
  };
  return Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
}

/** What a finished run must reproduce exactly: the KB, every metric and per-session outcome, every ranking. */
export function fingerprint(dir: string): { kb: unknown; results: unknown; predictions: string[] } {
  const kb = JSON.parse(readFileSync(join(dir, 'hints.json'), 'utf8')) as { hints: { id: string; text: string }[] };
  const runs = join(dir, 'runs');
  // The evaluation that finished last: a run killed during evaluation leaves the folder of its
  // stage key holding only its (stale) lock, and a rerun whose KB changed evaluates under another key.
  const finished = readdirSync(runs)
    .filter((d) => d.startsWith('eval-') && existsSync(join(runs, d, 'results.json')))
    .map((d) => ({ d, at: statSync(join(runs, d, 'results.json')).mtimeMs }))
    .sort((a, b) => a.at - b.at);
  const evalDir = finished.at(-1)?.d;
  if (!evalDir) throw new Error(`no finished evaluation in ${runs}`);
  const r = JSON.parse(readFileSync(join(runs, evalDir, 'results.json'), 'utf8')) as Record<string, unknown> & { conditions: Record<string, unknown>[] };
  const predictions = readFileSync(join(runs, evalDir, 'predictions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const p = JSON.parse(l) as Record<string, unknown>;
      delete p.cached; // served from the cache or not depends on the run's history
      return JSON.stringify(p);
    })
    .sort();
  return {
    kb: kb.hints.map((h) => [h.id, h.text]),
    results: {
      conditions: r.conditions.map(({ usage: _usage, ...rest }) => rest),
      comparisons: r.comparisons,
      hints: r.hints,
      sessions: r.sessions,
      training: r.training,
    },
    predictions,
  };
}
