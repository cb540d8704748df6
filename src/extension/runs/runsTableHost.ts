/**
 * The runs table's host side, plain logic over a panel-like object: one panel, a complete
 * snapshot of the rows after the ready handshake and after every change; every message checked
 * with `asRunsCommand`. Star writes the run's results.json (the core's updateRunInfo); hide is
 * the table's own state (workspaceState); delete asks first and never removes a running job's
 * folder or anything outside the runs folder.
 */
import { promises as fsp } from 'node:fs';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { updateRunInfo } from '../../core/evaluate/runInfo';
import { asRunsCommand, type RunsCommand, type RunsNotification } from '../../protocol/runsTable';
import type { RunFolder } from '../host/runs';
import type { HostLog, Memento, Ui } from '../vscode/types';
import { runRows } from './runRows';
import type { PanelLike } from '../panelLike';
import { SinglePanel } from '../singlePanel';

export const HIDDEN_RUNS_KEY = 're2llm.runsTable.hidden';

/** The panel surface this host needs (no title changes). */
export type RunsPanelLike = Omit<PanelLike<RunsNotification>, 'setTitle'>;

export interface RunsTableDeps {
  ui: Ui;
  log: HostLog;
  state: Memento;
  createPanel(): RunsPanelLike;
  /** The runs folder of the selected dataset and its runs (newest first). */
  runs(): Promise<{ runsDir: string; runs: RunFolder[] } | undefined>;
  /** Run folders of jobs running now (never deleted). */
  runningDirs(): string[];
  showRuns(dirs: string[]): Promise<void>;
  /** Opens the training-curves panel on these runs. */
  plotCurves(runIds: string[]): Promise<void>;
  runsChanged(): void;
}

export class RunsTableHost {
  private readonly view: SinglePanel<RunsPanelLike>;

  constructor(private readonly d: RunsTableDeps) {
    this.view = new SinglePanel(() => d.createPanel(), (m) => void this.receive(m));
  }

  async open(): Promise<void> {
    if (this.view.show()) return this.refresh();
  }

  /** A runs table restored after a window reload: fresh rows once its page is ready. */
  restore(panel: RunsPanelLike): void {
    this.view.adopt(panel);
  }

  /** Sends a fresh snapshot (after the ready handshake). */
  async refresh(): Promise<void> {
    if (!this.view.ready) return;
    const found = await this.d.runs();
    const rows = found ? await runRows(found.runs, this.hidden()) : [];
    await this.view.ready?.postMessage({ type: 'runs/show', rows });
  }

  async receive(raw: unknown): Promise<void> {
    const cmd = asRunsCommand(raw);
    if (!cmd) {
      this.d.log.warn('runs table: ignored malformed message');
      return;
    }
    await this.handle(cmd);
  }

  private hidden(): Set<string> {
    const v = this.d.state.get<unknown>(HIDDEN_RUNS_KEY);
    return new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  }

  private async dirOf(runId: string): Promise<string | undefined> {
    return (await this.d.runs())?.runs.find((r) => r.id === runId)?.dir;
  }

  private async handle(cmd: RunsCommand): Promise<void> {
    switch (cmd.type) {
      case 'runs/ready':
        this.view.markReady();
        return this.refresh();
      case 'runs/open':
      case 'runs/compare': {
        const ids = cmd.type === 'runs/open' ? [cmd.runId] : cmd.runIds;
        const found = await this.d.runs();
        const dirs = ids.map((id) => found?.runs.find((r) => r.id === id && r.hasResults)?.dir).filter((d): d is string => !!d);
        if (!dirs.length) return void this.d.ui.info('Re2LLM: the selected runs have no results to show.');
        return this.d.showRuns(dirs);
      }
      case 'runs/plot':
        return this.d.plotCurves(cmd.runIds);
      case 'runs/star': {
        const dir = await this.dirOf(cmd.runId);
        if (!dir) return;
        try {
          await updateRunInfo(dir, { starred: cmd.starred });
          this.d.runsChanged();
        } catch (err) {
          void this.d.ui.warn(`Re2LLM: ${cmd.runId} cannot be starred: ${(err as Error).message}`);
        }
        return this.refresh();
      }
      case 'runs/hide': {
        const hidden = this.hidden();
        for (const id of cmd.runIds) {
          if (cmd.hidden) hidden.add(id);
          else hidden.delete(id);
        }
        await this.d.state.update(HIDDEN_RUNS_KEY, [...hidden]);
        return this.refresh();
      }
      case 'runs/delete':
        await this.delete(cmd.runIds);
        return this.refresh();
      default: {
        const never: never = cmd;
        throw new Error(`unhandled runs table command ${JSON.stringify(never)}`);
      }
    }
  }

  private async delete(runIds: string[]): Promise<void> {
    const found = await this.d.runs();
    if (!found) return;
    const running = new Set(this.d.runningDirs().map((d) => resolve(d)));
    const targets = runIds.map((id) => found.runs.find((r) => r.id === id)).filter((r): r is RunFolder => !!r);
    const busy = targets.filter((r) => running.has(resolve(r.dir)));
    const free = targets.filter((r) => !running.has(resolve(r.dir)));
    await this.deleteFolders(found.runsDir, free);
    if (busy.length) void this.d.ui.warn(`Re2LLM: ${busy.map((r) => r.id).join(', ')} ${busy.length > 1 ? 'are' : 'is'} running; not deleted.`);
  }

  private async deleteFolders(runsDir: string, free: RunFolder[]): Promise<void> {
    if (!free.length) return;
    const found = { runsDir };
    const answer = await this.d.ui.warn(`Re2LLM: delete ${free.length === 1 ? `run folder ${free[0]!.id}` : `${free.length} run folders`} from ${found.runsDir}? This cannot be undone.`, 'Delete');
    if (answer !== 'Delete') return;
    for (const r of free) {
      const rel = relative(resolve(found.runsDir), resolve(r.dir));
      if (!rel || rel.startsWith('..') || isAbsolute(rel) || rel.includes('/') || rel.includes('\\')) {
        this.d.log.warn(`runs table: ${r.dir} is not a folder of ${found.runsDir}; not deleted`);
        continue;
      }
      await fsp.rm(join(found.runsDir, rel), { recursive: true, force: true });
      this.d.log.info(`runs table: deleted ${r.dir}`);
    }
    this.d.runsChanged();
  }
}
