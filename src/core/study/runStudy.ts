/**
 * `re2llm study`: expand the grid, estimate its calls, run every unfinished cell through the
 * pipeline (in parallel up to `study.parallel`, each bounded by its own `llm.concurrency`),
 * then aggregate the finished cells into `study.json` and its tables.
 *
 * Resumable: a cell's state file marks it finished; an unfinished cell is simply run again, and
 * the pipeline's stage keys reuse whatever it had finished (reflection checkpoints, a trained
 * agent, the response cache), so a killed study ends as an uninterrupted one would.
 * The budget (`maxCalls`) counts calls as they are reported and stops the study when reached;
 * the cells that were running stay resumable.
 */
import { mkdir } from 'node:fs/promises';
import pLimit from 'p-limit';
import type { ConfigLayer } from '../config/resolve';
import type { StudyCellInfo, StudyResults } from '../../protocol/study';
import { STUDY_RESULTS_SCHEMA_VERSION } from '../../protocol/study';
import { readResults } from '../evaluate/output';
import type { ExperimentEvent, Trainer } from '../run/runExperiment';
import type { Logger } from '../util/log';
import { aggregateComparisons, aggregateGroups, conditionsOf, COMPARISON_METHOD, SEED_INTERVAL_METHOD, type FinishedCell } from './aggregate';
import { resolveCellConfig, type CellConfig } from './cellConfig';
import { isFinished, readCellState, writeCellState } from './cellState';
import { estimateCalls, type CallEstimate } from './estimate';
import { runCellExperiment, type CellRunner } from './experimentAdapter';
import { expandGrid, type GridCell } from './grid';
import type { LoadedStudy } from './studyFile';
import { writeStudyOutputs } from './write';
import { runController } from '../util/abort';

export interface PlannedCell {
  cell: GridCell;
  config: CellConfig;
  finished: boolean;
}

export type StudyEvent =
  | { kind: 'plan'; cells: PlannedCell[]; estimate: CallEstimate }
  | { kind: 'cell-start'; cell: PlannedCell; position: number; total: number }
  | { kind: 'cell-progress'; cell: PlannedCell; event: ExperimentEvent }
  | { kind: 'cell-done'; cell: PlannedCell; calls: number; seconds: number; done: number; total: number }
  | { kind: 'cell-failed'; cell: PlannedCell; error: string }
  | { kind: 'budget'; calls: number; maxCalls: number };

export interface RunStudyOptions {
  study: LoadedStudy;
  outDir: string;
  packageVersion: string;
  logger: Logger;
  trainer: Trainer;
  /** Layers between the base settings and the cells' (e.g. the simulated endpoint). */
  extraLayers?: ConfigLayer[];
  signal?: AbortSignal;
  apiKey?: string;
  /** Stop once this many LLM calls have been made. */
  maxCalls?: number;
  /** Overrides the study file's `study.parallel`. */
  parallel?: number;
  /** Plan and estimate only. */
  dryRun?: boolean;
  /** Write study.html (default true; needs the built study bundle). */
  html?: boolean;
  /** Called with the aggregate of the cells finished so far, after each cell (the study panel's progress). */
  onSnapshot?: (r: StudyResults) => void;
  /** Default: runExperiment. Tests inject a counting or failing one. */
  runner?: CellRunner;
  onEvent?: (e: StudyEvent) => void;
}

export interface StudyRunResult {
  plan: PlannedCell[];
  estimate: CallEstimate;
  /** Absent on a dry run. */
  results?: StudyResults;
  studyPath?: string;
  htmlPath?: string;
  tables?: string[];
  calls: number;
  stopped?: 'budget' | 'cancelled';
}

export async function planStudy(o: Pick<RunStudyOptions, 'study' | 'outDir' | 'packageVersion' | 'extraLayers'>): Promise<PlannedCell[]> {
  const cells = expandGrid(o.study);
  const planned: PlannedCell[] = [];
  for (const cell of cells) {
    const config = resolveCellConfig(cell, { study: o.study, outDir: o.outDir, packageVersion: o.packageVersion, ...(o.extraLayers ? { extraLayers: o.extraLayers } : {}) });
    planned.push({ cell, config, finished: isFinished(await readCellState(config.dir)) });
  }
  const ids = new Map<string, GridCell>();
  for (const p of planned) {
    const other = ids.get(p.config.id);
    if (other) throw new Error(`cells "${other.label}" and "${p.cell.label}" resolve to the same settings; remove the duplicate axis value or variant`);
    ids.set(p.config.id, p.cell);
  }
  return planned;
}

export async function runStudy(o: RunStudyOptions): Promise<StudyRunResult> {
  const started = Date.now();
  const emit = (e: StudyEvent): void => o.onEvent?.(e);
  const plan = await planStudy(o);
  const estimate = await estimateCalls(plan.map((p) => ({ id: p.config.id, config: p.config.resolved.config, fixedKb: p.config.fixedKb, done: p.finished })), o.logger);
  emit({ kind: 'plan', cells: plan, estimate });
  if (o.dryRun) return { plan, estimate, calls: 0 };

  await mkdir(o.outDir, { recursive: true });
  const controller = runController();
  const onAbort = (): void => controller.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) controller.abort();
  let stopped: StudyRunResult['stopped'];
  const runner = o.runner ?? runCellExperiment;
  const outcomes: Outcomes = new Map();
  const live = new Map<number, number>();
  let finishedCalls = 0;
  const total = (): number => finishedCalls + [...live.values()].reduce((s, v) => s + v, 0);
  const checkBudget = (): void => {
    if (o.maxCalls === undefined || controller.signal.aborted || total() < o.maxCalls) return;
    stopped = 'budget';
    emit({ kind: 'budget', calls: total(), maxCalls: o.maxCalls });
    controller.abort();
  };
  const pending = plan.filter((p) => !p.finished);
  let position = 0;
  let done = plan.length - pending.length;
  const limit = pLimit(Math.max(1, o.parallel ?? o.study.file.study?.parallel ?? 1));
  // The first pending cell of each warm key leads; the others wait for it before taking a slot.
  const leaders = new Map<string, Promise<void>>();
  const runOne = (p: PlannedCell) => limit(async () => {
    if (controller.signal.aborted) return;
    emit({ kind: 'cell-start', cell: p, position: ++position, total: pending.length });
    const startedAt = new Date().toISOString();
    await writeCellState(p.config.dir, { id: p.config.id, status: 'running', startedAt });
    // Calls as the stages report them: the client's running total (reflection, then evaluation) and the worker's.
    const counts = { client: 0, train: 0 };
    // One signal per cell: every request in flight listens on it, so cells must not share one.
    const cellController = runController();
    const onStudyAbort = (): void => cellController.abort();
    controller.signal.addEventListener('abort', onStudyAbort, { once: true });
    try {
      const out = await runner({
        resolved: p.config.resolved, trainer: o.trainer, packageVersion: o.packageVersion, logger: o.logger, signal: cellController.signal,
        ...(o.apiKey ? { apiKey: o.apiKey } : {}),
        onEvent: (event) => {
          if (event.kind === 'progress') {
            if (event.stage === 'reflect') counts.client = Math.max(counts.client, event.progress.calls);
            else if (event.stage === 'train') counts.train = event.progress.calls;
            else counts.client = Math.max(counts.client, event.progress.usage.calls);
            live.set(p.cell.index, counts.client + counts.train);
            checkBudget();
          }
          emit({ kind: 'cell-progress', cell: p, event });
        },
      });
      live.delete(p.cell.index);
      finishedCalls += out.calls;
      await writeCellState(p.config.dir, {
        id: p.config.id, status: 'done', startedAt, finishedAt: new Date().toISOString(), evalDir: out.evalDir,
        ...(out.reportPath ? { reportPath: out.reportPath } : {}), calls: out.calls, seconds: out.seconds,
      });
      p.finished = true;
      outcomes.set(p.cell.index, { status: 'done', evalDir: out.evalDir, ...(out.reportPath ? { reportPath: out.reportPath } : {}), calls: out.calls, seconds: out.seconds });
      emit({ kind: 'cell-done', cell: p, calls: out.calls, seconds: out.seconds, done: ++done, total: plan.length });
      if (o.onSnapshot) o.onSnapshot(await collectResults(o, plan, outcomes, { calls: total(), estimate: estimate.total, seconds: (Date.now() - started) / 1000 }));
      checkBudget();
    } catch (err) {
      live.delete(p.cell.index);
      finishedCalls += counts.client + counts.train;
      if (controller.signal.aborted) return; // left as "running": the next run resumes it
      const error = (err as Error).message;
      await writeCellState(p.config.dir, { id: p.config.id, status: 'failed', startedAt, finishedAt: new Date().toISOString(), error });
      outcomes.set(p.cell.index, { status: 'failed', error });
      emit({ kind: 'cell-failed', cell: p, error });
    } finally {
      controller.signal.removeEventListener('abort', onStudyAbort);
    }
  });
  await Promise.all(pending.map((p) => {
    const leader = leaders.get(p.config.warmKey);
    if (!leader) {
      const run = runOne(p);
      leaders.set(p.config.warmKey, run);
      return run;
    }
    return leader.then(() => runOne(p));
  }));
  o.signal?.removeEventListener('abort', onAbort);
  if (controller.signal.aborted && !stopped) stopped = 'cancelled';

  const results = await collectResults(o, plan, outcomes, { calls: total(), estimate: estimate.total, seconds: (Date.now() - started) / 1000 });
  const written = await writeStudyOutputs(o.outDir, results, { html: o.html ?? true });
  return {
    plan, estimate, results, studyPath: written.studyPath, tables: written.tables, calls: total(),
    ...(written.htmlPath ? { htmlPath: written.htmlPath } : {}), ...(stopped ? { stopped } : {}),
  };
}

type Outcomes = Map<number, Omit<StudyCellInfo, 'id' | 'label' | 'axes' | 'variant' | 'seed' | 'group'>>;

/** study.json's content from the cells' state files and their results.json. */
async function collectResults(o: RunStudyOptions, plan: PlannedCell[], outcomes: Outcomes, usage: { calls: number; estimate: number; seconds: number }): Promise<StudyResults> {
  const finished: FinishedCell[] = [];
  const infos: StudyCellInfo[] = [];
  for (const p of plan) {
    const state = await readCellState(p.config.dir);
    const base = { id: p.config.id, label: p.cell.label, axes: p.cell.axes, variant: p.cell.variant.name, seed: p.cell.seed, group: p.cell.group };
    if (isFinished(state)) {
      finished.push({ cell: p.cell, id: p.config.id, results: await readResults(state.evalDir) });
      infos.push({ ...base, status: 'done', evalDir: state.evalDir, ...(state.reportPath ? { reportPath: state.reportPath } : {}), calls: state.calls ?? 0, seconds: state.seconds ?? 0 });
    } else {
      const o2 = outcomes.get(p.cell.index);
      infos.push({ ...base, status: o2?.status === 'failed' ? 'failed' : 'pending', ...(o2?.error ? { error: o2.error } : {}) });
    }
  }
  const conditions = o.study.file.conditions ?? conditionsOf(finished);
  const cells = plan.map((p) => p.cell);
  return {
    schemaVersion: STUDY_RESULTS_SCHEMA_VERSION,
    name: o.study.file.name,
    ...(o.study.file.description ? { description: o.study.file.description } : {}),
    studyFile: o.study.path,
    createdAt: new Date().toISOString(),
    packageVersion: o.packageVersion,
    axes: o.study.file.axes ?? {},
    variants: o.study.variants.map((v) => v.name),
    seeds: { vary: o.study.file.seeds?.vary ?? [], values: o.study.file.seeds?.values ?? [] },
    metrics: o.study.metrics,
    conditions,
    cells: infos,
    groups: aggregateGroups(cells, finished, conditions, o.study.metrics),
    comparisons: aggregateComparisons(o.study, cells, finished, o.study.file.study?.bootstrap ?? 2000),
    figures: o.study.file.figures ?? [],
    methods: { seedInterval: SEED_INTERVAL_METHOD, comparison: COMPARISON_METHOD },
    usage: { calls: usage.calls, cellCalls: infos.reduce((n, c) => n + (c.calls ?? 0), 0), estimate: usage.estimate, seconds: usage.seconds },
    complete: finished.length === plan.length,
  };
}
