/**
 * `re2llm study FILE`: run a study file's grid (axes × variants × seeds) through the pipeline,
 * resumably, and write study.json with its tables. A study whose file says `"llm": "simulated"`
 * (or run with --sim) gets the in-process simulated LLM, started as `re2llm demo` starts it.
 */
import type { Command } from 'commander';
import { join, resolve as resolvePath } from 'node:path';
import { ioFor } from './shared';
import type { ConfigLayer, ResolvedConfig } from '../../core/config/resolve';
import type { SimServer } from '../../core/sim';
import { startStudySimulator } from '../../core/study/simulated';
import { runStudy, type RunStudyOptions, type StudyRunResult } from '../../core/study/runStudy';
import { loadStudyFile, parseStudy, type LoadedStudy } from '../../core/study/studyFile';
import { hashJson } from '../../core/util/hash';
import { workerTrainer } from '../../worker/trainer';
import { formatPlan, formatStudyResults, studyEventPrinter } from '../studyOutput';
import { version } from '../../../package.json';
import { runController } from '../../core/util/abort';

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

/** Shared by `study` and `run --seeds`: SIGINT stops the study; its cells stay resumable. */
export async function runStudyFromCli(io: ReturnType<typeof ioFor>, study: LoadedStudy, flags: StudyCliFlags, extra: Partial<RunStudyOptions> = {}): Promise<StudyRunResult> {
  const outDir = flags.out ? resolvePath(flags.out) : defaultStudyOut(study);
  const maxCalls = positiveInt('--max-calls', flags.maxCalls);
  const parallel = positiveInt('--parallel', flags.parallel);
  const controller = runController();
  const onSigint = (): void => {
    io.logger.log('warn', 'stopping the study: running cells keep their checkpoints; run the same command again to resume');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  let sim: SimServer | undefined;
  try {
    const layers: ConfigLayer[] = [...(extra.extraLayers ?? [])];
    if (flags.sim || study.file.llm === 'simulated') {
      const s = await startStudySimulator(study, outDir, version);
      sim = s.sim;
      io.logger.log('info', `simulated LLM on ${sim.url} (a simulator for demos and tests, not a recommender)`);
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
      io.result({ studyPath: result.studyPath, htmlPath: result.htmlPath ?? null, tables: result.tables, stopped: result.stopped ?? null, results: r }, () => formatStudyResults(r, result.studyPath!, result.htmlPath));
      if (r.cells.some((c) => c.status === 'failed')) process.exitCode = 1;
    });
}

/** "1..5" or "1,2,7" to the seed list. */
export function parseSeedList(text: string): number[] {
  const range = /^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$/.exec(text);
  if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    if (b < a) throw new Error(`--seeds ${text}: the range ends before it starts`);
    if (b - a >= 1000) throw new Error(`--seeds ${text}: at most 1000 seeds`);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  const list = text.split(',').map((s) => s.trim());
  if (!list.length || list.some((s) => !/^-?\d+$/.test(s))) throw new Error(`--seeds expects a range "1..5" or a list "1,2,7", got "${text}"`);
  const seeds = list.map(Number);
  if (new Set(seeds).size !== seeds.length) throw new Error(`--seeds ${text}: a seed is repeated`);
  return seeds;
}

/**
 * `re2llm run --seeds 1..5`: the same run repeated over seeds, as a one-axis study (the study
 * runner, its resumable cells and its seed aggregation) in <runsDir>/seeds-<hash>. The resolved
 * run configuration is the study's base; without output.kbPath each seed reflects into its own
 * cell KB, which after the first seed replays from the response cache.
 */
export async function runSeedsFromCli(io: ReturnType<typeof ioFor>, resolved: ResolvedConfig, seedsText: string, varyText: string): Promise<void> {
  const values = parseSeedList(seedsText);
  const vary = varyText.split(',').map((s) => s.trim()).filter(Boolean);
  const { output, ...rest } = resolved.config;
  const base: ConfigLayer = { source: `${resolved.configFile ?? 'defaults'} (run --seeds)`, values: { ...rest, output: { kbPath: output.kbPath } } };
  const path = resolved.configFile ?? join(resolved.baseDir, 're2llm.config.json');
  const study = parseStudy(JSON.stringify({ name: 'run-seeds', base: {}, seeds: { vary, values } }), path);
  const out = join(output.runsDir, `seeds-${hashJson({ base: base.values, vary }).slice(0, 10)}`);
  const result = await runStudyFromCli(io, study, { out }, { extraLayers: [base] });
  const r = result.results!;
  io.result({ studyPath: result.studyPath, stopped: result.stopped ?? null, results: r }, () => formatStudyResults(r, result.studyPath!, result.htmlPath));
  if (r.cells.some((c) => c.status === 'failed')) process.exitCode = 1;
}
