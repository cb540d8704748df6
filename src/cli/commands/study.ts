/**
 * `re2llm study FILE`: run a study file's grid (axes × variants × seeds) through the pipeline,
 * resumably, and write study.json with its tables. A study whose file says `"llm": "simulated"`
 * (or run with --sim) gets the in-process simulated LLM, started as `re2llm demo` starts it.
 */
import type { Command } from 'commander';
import { join, resolve as resolvePath } from 'node:path';
import { ioFor } from './shared';
import { resolveConfig, type ConfigLayer } from '../../core/config/resolve';
import { loadDataset } from '../../core/data/load';
import { simEndpointId, startSimServer, type SimServer } from '../../core/sim';
import { DEMO_SIM_SEED } from '../../core/run/demo';
import { silentLogger } from '../../core/util/log';
import { baseLayers } from '../../core/study/cellConfig';
import { runStudy, type RunStudyOptions, type StudyRunResult } from '../../core/study/runStudy';
import { loadStudyFile, type LoadedStudy } from '../../core/study/studyFile';
import { workerTrainer } from '../../worker/trainer';
import { formatPlan, formatStudyResults, studyEventPrinter } from '../studyOutput';
import { version } from '../../../package.json';

export interface StudyCliFlags {
  out?: string;
  dryRun?: boolean;
  maxCalls?: string;
  parallel?: string;
  sim?: boolean;
}

function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`${flag} must be a positive integer, got "${v}"`);
  return n;
}

/** The default study folder: re2llm-studies/<name> in the working folder. */
export function defaultStudyOut(study: LoadedStudy): string {
  return resolvePath('re2llm-studies', study.file.name);
}

/** Starts the simulator for a simulated study and returns the layer that points cells at it. */
async function simulatedEndpoint(study: LoadedStudy, outDir: string, io: ReturnType<typeof ioFor>): Promise<{ sim: SimServer; layer: ConfigLayer }> {
  const base = resolveConfig({ ...(study.configFile ? { configFile: study.configFile } : {}), layers: baseLayers({ study, outDir, packageVersion: version }) });
  const dataset = await loadDataset(base.config, { logger: silentLogger });
  const sim = await startSimServer({ dataset, seed: DEMO_SIM_SEED });
  io.logger.log('info', `simulated LLM on ${sim.url} (a simulator for demos and tests, not a recommender)`);
  const values: Record<string, unknown> = { 'llm.baseUrl': sim.url, 'llm.model': 'sim-llm', 'llm.endpointId': simEndpointId(dataset.hash, DEMO_SIM_SEED) };
  // The simulator's answers are kept apart from a real model's cache unless the study says otherwise.
  if (study.file.base.settings?.['llm.cacheDir'] === undefined) values['llm.cacheDir'] = join(outDir, 'cache');
  return { sim, layer: { source: 'study simulator', values } };
}

/** Shared by `study` and `run --seeds`: SIGINT stops the study; its cells stay resumable. */
export async function runStudyFromCli(io: ReturnType<typeof ioFor>, study: LoadedStudy, flags: StudyCliFlags, extra: Partial<RunStudyOptions> = {}): Promise<StudyRunResult> {
  const outDir = flags.out ? resolvePath(flags.out) : defaultStudyOut(study);
  const maxCalls = positiveInt('--max-calls', flags.maxCalls);
  const parallel = positiveInt('--parallel', flags.parallel);
  const controller = new AbortController();
  const onSigint = (): void => {
    io.logger.log('warn', 'stopping the study: running cells keep their checkpoints; run the same command again to resume');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  let sim: SimServer | undefined;
  try {
    const layers: ConfigLayer[] = [...(extra.extraLayers ?? [])];
    if (flags.sim || study.file.llm === 'simulated') {
      const s = await simulatedEndpoint(study, outDir, io);
      sim = s.sim;
      layers.push(s.layer);
    }
    const apiKey = process.env.OPENAI_API_KEY || undefined;
    const result = await runStudy({
      study, outDir, packageVersion: version, logger: io.logger, signal: controller.signal,
      trainer: workerTrainer({ logger: io.logger, signal: controller.signal }),
      extraLayers: layers,
      ...(apiKey && !sim ? { apiKey } : {}),
      ...(maxCalls !== undefined ? { maxCalls } : {}),
      ...(parallel !== undefined ? { parallel } : {}),
      ...(flags.dryRun ? { dryRun: true } : {}),
      onEvent: studyEventPrinter(io),
      ...extra,
    });
    if (sim) io.logger.log('info', `simulator answered ${sim.stats().requests} requests`);
    return result;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await sim?.close();
  }
}

export function register(program: Command): void {
  program
    .command('study')
    .argument('<file>', 'a *.study.json file (schema schemas/study.schema.json)')
    .description('run a study: a grid of runs (axes × variants × seeds), resumable, aggregated into study.json with CSV and LaTeX tables')
    .option('-o, --out <dir>', 'study folder (default re2llm-studies/<name>)')
    .option('--dry-run', 'print the cells and the call estimate, run nothing')
    .option('--max-calls <n>', 'stop once this many LLM calls have been made (cells stay resumable)')
    .option('--parallel <n>', 'cells at once (default: the file\'s study.parallel, else 1)')
    .option('--sim', 'run against the in-process simulated LLM (as if the file said "llm": "simulated")')
    .action(async (file: string, flags: StudyCliFlags, cmd: Command) => {
      const io = ioFor(cmd);
      const study = loadStudyFile(file);
      const result = await runStudyFromCli(io, study, flags);
      if (flags.dryRun || !result.results) {
        io.result({ cells: result.plan.map((p) => ({ id: p.config.id, label: p.cell.label, finished: p.finished, dir: p.config.dir })), estimate: result.estimate },
          () => formatPlan(result.plan, result.estimate));
        return;
      }
      const r = result.results;
      io.result({ studyPath: result.studyPath, tables: result.tables, stopped: result.stopped ?? null, results: r }, () => formatStudyResults(r, result.studyPath!));
      if (r.cells.some((c) => c.status === 'failed')) process.exitCode = 1;
    });
}
