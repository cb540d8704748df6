/**
 * `npm run bench:faults [-- --dataset DIR] [-- --quick]`: the fault suite at full scale. The
 * whole pipeline (`re2llm run`, built CLI) on the hetrec folder against the simulator, once
 * fault-free and once with the issue's fault mix (20% 429 with Retry-After 1 s, 20% 500, 5%
 * malformed, 2% never answered, 20 ms latency), the faulty run SIGKILLed during evaluation and
 * rerun until a run records no failure (at most 4 reruns). Prints calls, retries, failures and wall time of both, how many predictions differ
 * (and whether every difference is a recorded failure), and greps every file the tool wrote
 * for a planted API key and a planted query secret.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { FAULT_MIX, fingerprint, runCli, runSettings, startSim, type CliRun } from '../test/faults/helpers';

const KEY = 'sk-PLANTED-fault-bench-key-7f3a';
const QUERY_SECRET = 'PLANTED-query-secret-91c2';
const MAX_RERUNS = 4;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

interface Usage {
  calls: number;
  retries: number;
  failures: number;
  cacheHits: number;
}

/** A run's `--json` summary (undefined for a killed run: it prints none). */
function summaryOf(r: CliRun): { usage: Usage; training?: { failures?: number } | null } | undefined {
  try {
    return JSON.parse(r.stdout) as { usage: Usage; training?: { failures?: number } | null };
  } catch {
    return undefined;
  }
}

function usageOf(...runs: CliRun[]): Usage {
  const u: Usage = { calls: 0, retries: 0, failures: 0, cacheHits: 0 };
  for (const s of runs.map(summaryOf)) if (s) for (const k of Object.keys(u) as (keyof Usage)[]) u[k] += s.usage[k];
  return u;
}

/** Requests a run recorded as failed: its own and its training worker's (0 for a killed run). */
function failuresOf(r: CliRun): number {
  const s = summaryOf(r);
  return s ? s.usage.failures + (s.training?.failures ?? 0) : 0;
}

async function main(): Promise<void> {
  const dataset = resolvePath(arg('--dataset') ?? join(__dirname, '..', '..', '..', 'shared', 'datasets', 'hetrec2011-movielens'));
  const hetrec = existsSync(dataset) ? dataset : '/work/shared/datasets/hetrec2011-movielens';
  const quick = process.argv.includes('--quick');
  const settings: Record<string, string | number> = {
    'dataset.path': hetrec,
    'dataset.name': 'hetrec-faults',
    // As in the issue's run: a 3 s timeout, so the 2% never-answered requests cost 3 s, not 30.
    'llm.timeoutMs': Number(arg('--timeout-ms') ?? 3000),
    ...(quick ? { 'agent.steps': 512, 'evaluation.testSample': 50, 'reflection.maxSessions': 30, 'reflection.targetHints': 5 } : {}),
  };
  const root = mkdtempSync(join(tmpdir(), 're2llm-fault-bench-'));
  const clean = await startSim({}, hetrec);
  const faulty = await startSim({ ...FAULT_MIX, latencyMs: 20 }, hetrec);
  try {
    const env = { OPENAI_API_KEY: KEY };
    const refDir = join(root, 'fault-free');
    process.stderr.write(`fault-free run in ${refDir}\n`);
    const ref = await runCli(runSettings(`${clean.sim.url}?api-key=${QUERY_SECRET}`, clean.endpointId, refDir, settings), { entry: 'dist', env });
    if (ref.code !== 0) throw new Error(`fault-free run failed: ${ref.stderr.slice(-2000)}`);
    // Each run's figures as it ends, so an hour's run is not lost to a failure after it.
    process.stderr.write(`  fault-free: ${(ref.ms / 1000).toFixed(1)} s, ${JSON.stringify(usageOf(ref))}\n`);
    const dir = join(root, 'faulty');
    const args = runSettings(`${faulty.sim.url}?api-key=${QUERY_SECRET}`, faulty.endpointId, dir, settings);
    process.stderr.write(`faulty run in ${dir} (killed during evaluation, then rerun)\n`);
    const killed = await runCli(args, { entry: 'dist', env, killWhen: /\[evaluate\] /m });
    process.stderr.write(`  killed after ${(killed.ms / 1000).toFixed(1)} s\n`);
    // Rerun until a run records no failure (each rerun asks only what failed, reflection's
    // failed sessions included), as a researcher would; at most MAX_RERUNS.
    const reruns: CliRun[] = [];
    do {
      const rerun = await runCli(args, { entry: 'dist', env });
      if (rerun.code !== 0) throw new Error(`faulty rerun failed: ${rerun.stderr.slice(-2000)}`);
      reruns.push(rerun);
      process.stderr.write(`  rerun ${reruns.length}: ${(rerun.ms / 1000).toFixed(1)} s, ${JSON.stringify(usageOf(rerun))}, failures ${failuresOf(rerun)}\n`);
    } while (failuresOf(reruns.at(-1)!) > 0 && reruns.length < MAX_RERUNS);
    const a = fingerprint(refDir);
    const b = fingerprint(dir);
    const ours = new Set(a.predictions);
    const differing = b.predictions.filter((p) => !ours.has(p));
    const failedDiffs = differing.filter((p) => (JSON.parse(p) as { failure?: unknown }).failure !== undefined).length;
    const leaks = files(root).filter((f) => {
      const text = readFileSync(f).toString('latin1');
      return text.includes(KEY) || text.includes(QUERY_SECRET);
    });
    const u0 = usageOf(ref);
    const u1 = usageOf(killed, ...reruns);
    const rerunMs = reruns.reduce((t, r) => t + r.ms, 0);
    const faults = faulty.sim.stats();
    const line = (name: string, u: Usage, ms: number): string =>
      `${name.padEnd(34)} ${String(u.calls).padStart(6)} ${String(u.retries).padStart(8)} ${String(u.failures).padStart(9)} ${(ms / 1000).toFixed(1).padStart(8)} s`;
    process.stdout.write(
      [
        `Fault suite on ${hetrec}${quick ? ' (--quick)' : ''}: the faulty run SIGKILLed during evaluation (after ${(killed.ms / 1000).toFixed(1)} s), then rerun ${reruns.length} time(s) ` +
          `(failures per rerun, training worker's included: ${reruns.map(failuresOf).join(', ')}; the killed run's own calls are not counted: it printed no summary)`,
        `${'run'.padEnd(34)} ${'calls'.padStart(6)} ${'retries'.padStart(8)} ${'failures'.padStart(9)} ${'wall'.padStart(10)}`,
        line('fault-free', u0, ref.ms),
        line('faults + SIGKILL + reruns', u1, killed.ms + rerunMs),
        `injected faults: ${JSON.stringify(faults.faults)} over ${faults.requests} requests`,
        `wall time faulty / fault-free: ${((killed.ms + rerunMs) / ref.ms).toFixed(2)}x`,
        `KB identical: ${JSON.stringify(a.kb) === JSON.stringify(b.kb)}; results identical: ${JSON.stringify(a.results) === JSON.stringify(b.results)}; ` +
          `predictions differing: ${differing.length} of ${b.predictions.length} (${failedDiffs} of them recorded failures)`,
        `planted key / query secret found in ${leaks.length} of ${files(root).length} files the tool wrote${leaks.length ? `: ${leaks.join(', ')}` : ''}`,
      ].join('\n') + '\n',
    );
  } finally {
    await clean.sim.close();
    await faulty.sim.close();
    if (!process.argv.includes('--keep')) rmSync(root, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
