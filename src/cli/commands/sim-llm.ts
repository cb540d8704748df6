/**
 * `re2llm sim-llm --port P --dataset D`: runs the simulated LLM (an OpenAI-compatible server on
 * 127.0.0.1 that answers the project's prompts from the dataset's attributes) until SIGINT.
 * A simulator for demos, tests and benchmarks, not a recommender. Point a run at it with
 * `--set llm.baseUrl=<url>` (loopback endpoints need no API key).
 */
import type { Command } from 'commander';
import { resolve as resolvePath } from 'node:path';
import { ioFor, resolveFromCli, withConfigOptions } from './shared';
import { loadDataset } from '../../core/data/load';
import { startSimServer } from '../../core/sim/server';
import { measureSignal } from '../../core/sim/signal';
import type { SimFaults } from '../../core/sim/faults';

interface SimFlags {
  dataset: string;
  port: string;
  seed: string;
  latency?: string;
  fault429?: string;
  retryAfter?: string;
  fault500?: string;
  faultTimeout?: string;
  faultMalformed?: string;
  faultTruncated?: string;
  skipBadRows?: boolean;
  signal?: string;
  config?: string;
  set?: string[];
}

function num(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || x < min || x > max) throw new Error(`--${name} must be a number in [${min}, ${max}], got "${v}"`);
  return x;
}

export function register(program: Command): void {
  withConfigOptions(
    program
      .command('sim-llm')
      .description('run the simulated LLM (OpenAI-compatible, loopback only; for demos, tests and benchmarks, not a recommender) until Ctrl-C')
      .requiredOption('-d, --dataset <dataset>', 'dataset folder, or a re2llm.config.json naming one')
      .option('-p, --port <port>', 'port on 127.0.0.1 (0: any free port)', '0')
      .option('-s, --seed <seed>', 'simulator seed (noise, hidden session weights, faults)', '1')
      .option('--latency <ms>', 'added latency per request')
      .option('--fault-429 <rate>', 'share of requests answered 429 with Retry-After')
      .option('--retry-after <seconds>', 'Retry-After sent with 429s', '1')
      .option('--fault-500 <rate>', 'share of requests answered 500')
      .option('--fault-timeout <rate>', 'share of requests never answered')
      .option('--fault-malformed <rate>', 'share answered with invalid JSON')
      .option('--fault-truncated <rate>', 'share answered with the text cut short (finish_reason "length")')
      .option('--skip-bad-rows', 'import the dataset skipping malformed rows')
      .option('--signal <n>', 'instead of serving: measure the learning signal on n sessions of the train and test splits and exit'),
  ).action(async (flags: SimFlags, cmd: Command) => {
    const io = ioFor(cmd);
    const isConfigFile = flags.dataset.endsWith('.json');
    const { config } = resolveFromCli(
      { ...flags, config: flags.config ?? (isConfigFile ? flags.dataset : undefined) },
      { 'dataset.path': isConfigFile ? undefined : resolvePath(flags.dataset), 'dataset.skipBadRows': flags.skipBadRows || undefined },
    );
    const seed = num('seed', flags.seed, -(2 ** 31), 2 ** 32)!;
    const port = num('port', flags.port, 0, 65535)!;
    const faults: SimFaults = {};
    const set = (k: keyof SimFaults, name: string, v: string | undefined, max = 1): void => {
      const x = num(name, v, 0, max);
      if (x !== undefined) faults[k] = x;
    };
    set('latencyMs', 'latency', flags.latency, 600_000);
    set('rate429', 'fault-429', flags.fault429);
    set('retryAfterS', 'retry-after', flags.retryAfter, 3600);
    set('rate500', 'fault-500', flags.fault500);
    set('rateTimeout', 'fault-timeout', flags.faultTimeout);
    set('rateMalformed', 'fault-malformed', flags.faultMalformed);
    set('rateTruncated', 'fault-truncated', flags.faultTruncated);
    const dataset = await loadDataset(config, { logger: io.logger });

    if (flags.signal !== undefined) {
      const n = num('signal', flags.signal, 1, 1e6)!;
      const opts = { seed, k: 10, historyLimit: config.prompt.historyLimit };
      const report = {
        dataset: dataset.name,
        seed,
        train: measureSignal(dataset, dataset.splits.train.slice(0, n), opts),
        test: measureSignal(dataset, dataset.splits.test.slice(0, n), opts),
      };
      const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;
      const line = (name: string, r: typeof report.train): string =>
        `${name}: ${r.sessions} sessions, base HR@10 ${r.base.hr.toFixed(3)} NDCG@10 ${r.base.ndcg.toFixed(4)}; ` +
        `best family hint per session +${r.oracleNdcgGain.toFixed(4)} NDCG (improvable ${(100 * r.improvableShare).toFixed(0)}%); ` +
        `dominant-family hint ${signed(r.dominantFamilyNdcgGain)}; observable-family hint ${signed(r.observableFamilyNdcgGain)} ` +
        `(misdirected ${signed(r.misdirectedNdcgGain)}); best fixed ${r.bestFixed.family} ${signed(r.bestFixed.ndcgGain)}; fixed: ` +
        r.perFamily.map((p) => `${p.family} ${p.ndcgGain >= 0 ? '+' : ''}${p.ndcgGain.toFixed(4)}`).join(', ');
      io.result(report, () => [line('train', report.train), line('test', report.test)].join('\n'));
      return;
    }

    const server = await startSimServer({ dataset, seed, port, faults });
    io.result(
      { url: server.url, port: server.port, dataset: dataset.name, items: dataset.items.size, seed, faults },
      `simulated LLM (a simulator, not a recommender) for ${dataset.name} (${dataset.items.size} items) at ${server.url}\n` +
        `use it with: --set llm.baseUrl=${server.url}   (Ctrl-C to stop)`,
    );
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    const stats = server.stats();
    await server.close();
    io.logger.log('info', `simulated LLM stopped: ${stats.requests} requests; by responder ${JSON.stringify(stats.byResponder)}; faults ${JSON.stringify(stats.faults)}`);
  });
}
