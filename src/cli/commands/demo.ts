/**
 * `re2llm demo` (`npm run demo`): the whole pipeline on the bundled example (a small cut of the
 * hetrec sessions, examples/hetrec-mini) against the simulated LLM started in-process on
 * loopback, so it needs no API key. With OPENAI_API_KEY set (and optionally OPENAI_BASE_URL and
 * RE2LLM_MODEL), the same command runs against that real model instead.
 */
import type { Command } from 'commander';
import { join, resolve as resolvePath } from 'node:path';
import { ioFor, parseSets } from './shared';
import { resolveConfig, type ConfigLayer } from '../../core/config/resolve';
import { loadDataset } from '../../core/data/load';
import { simEndpointId, startSimServer } from '../../core/sim';
import { silentLogger } from '../../core/util/log';
import { packageRoot } from '../packageRoot';
import { runPipeline } from './run';
import { DEMO_SETTINGS, DEMO_SIM_SEED } from '../../core/run/demo';
import { formatExperimentSummary } from '../experimentOutput';


export function register(program: Command): void {
  program
    .command('demo')
    .description('run the whole pipeline on the bundled example data against the simulated LLM (no API key needed); prints where the report is')
    .option('-o, --out <dir>', 'folder for the demo\'s KB, cache and runs', 're2llm-demo')
    .option('--real', 'use the real endpoint from OPENAI_API_KEY / OPENAI_BASE_URL / RE2LLM_MODEL instead of the simulator')
    .option('--set <key=value>', 'override a setting (repeatable)', (v: string, p: string[]) => [...p, v], [] as string[])
    .action(async (flags: { out: string; real?: boolean; set: string[] }, cmd: Command) => {
      const io = ioFor(cmd);
      const out = resolvePath(flags.out);
      const configFile = join(packageRoot(), 'examples', 're2llm.config.json');
      const layers: ConfigLayer[] = [
        { source: 'demo defaults', values: { ...DEMO_SETTINGS, 'output.runsDir': join(out, 'runs'), 'llm.cacheDir': join(out, 'cache'), 'output.kbPath': join(out, 'hetrec-mini.hints.json') } },
      ];
      const real = flags.real ?? false;
      if (real) {
        if (!process.env.OPENAI_API_KEY) throw new Error('--real needs OPENAI_API_KEY in the environment');
        const env: Record<string, unknown> = {};
        if (process.env.OPENAI_BASE_URL) env['llm.baseUrl'] = process.env.OPENAI_BASE_URL;
        if (process.env.RE2LLM_MODEL) env['llm.model'] = process.env.RE2LLM_MODEL;
        layers.push({ source: 'environment', values: env });
      }
      if (flags.set.length) layers.push({ source: '--set', values: parseSets(flags.set) });
      let resolved = resolveConfig({ configFile, layers });

      let sim: Awaited<ReturnType<typeof startSimServer>> | undefined;
      try {
        if (!real) {
          const dataset = await loadDataset(resolved.config, { logger: silentLogger });
          const seed = DEMO_SIM_SEED;
          sim = await startSimServer({ dataset, seed });
          io.logger.log('info', `simulated LLM on ${sim.url} (a simulator for demos and tests, not a recommender)`);
          // The simulator's port changes every run; a stable endpoint id keeps the cache warm.
          layers.push({ source: 'demo simulator', values: { 'llm.baseUrl': sim.url, 'llm.model': 'sim-llm', 'llm.endpointId': simEndpointId(dataset.hash, seed) } });
          resolved = resolveConfig({ configFile, layers });
        }
        const summary = await runPipeline(io, resolved);
        io.result({ ...summary, simulated: !real }, () => `${formatExperimentSummary(summary)}\n\nOpen the report: ${summary.reportPath ?? '(none)'}`);
      } finally {
        await sim?.close();
      }
    });
}
