/**
 * The results panel's host side, as plain logic over a `PanelLike`: one panel (reused), showing
 * one run or several for comparison. It waits for `results/ready`, then posts the complete
 * snapshot; every message from the webview is checked with `asResultsCommand`. The run folders
 * shown are kept in workspaceState so the WebviewPanelSerializer can restore the panel after a
 * reload (the webview keeps its own view state with setState).
 */
import type { PanelLike as PanelLikeOf } from '../panelLike';
import { promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';
import { isStudyResults } from '../../protocol/study';
import { asResultsCommand, type ResultsCommand, type ResultsNotification } from '../../protocol/webview';
import type { ResultsFile, TrainingPoint } from '../../protocol/results';
import type { ResultsView } from '../host/studio';
import { readResults } from '../host/runs';
import { locateHints } from '../kb/locate';
import { updateRunInfo } from '../../core/evaluate/runInfo';
import type { CoreApi } from '../coreAdapter/api';
import type { Memento, Ui, HostLog } from '../vscode/types';

export const RESULTS_PANEL_KEY = 're2llm.resultsPanel.runDirs';

/**
 * A study folder (its study.json; `re2llm run --seeds` writes one per seeds run) stands for its
 * finished cells' evaluation folders, so opening a seeds run shows all its seeds together and the
 * panel's "Over N seeds" section; any other folder is kept as it is.
 */
export async function expandStudyFolders(dirs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const dir of dirs) {
    let study: unknown;
    try {
      study = JSON.parse(await fsp.readFile(join(dir, 'study.json'), 'utf8'));
    } catch {
      out.push(dir);
      continue;
    }
    const cells = isStudyResults(study) ? study.cells.filter((c) => c.status === 'done' && c.evalDir).map((c) => c.evalDir!) : [];
    out.push(...(cells.length ? cells : [dir]));
  }
  return out;
}

export type PanelLike = PanelLikeOf<ResultsNotification>;

export interface ResultsDeps {
  core: CoreApi;
  ui: Ui;
  log: HostLog;
  state: Memento;
  createPanel(): PanelLike;
  /** Palette actions the panel's buttons reuse. */
  exportResults(runId: string, format: 'csv' | 'latex' | 'json'): Promise<void>;
  compareRuns(): Promise<void>;
  /** The prompt diff panel for one session of a run, two conditions side by side. */
  comparePrompts(req: { runId: string; sessionId: string; sides: [{ condition: string }, { condition: string }] }): Promise<void>;
  /** The KB to open for a hint when the run does not say where its KB is. */
  currentKbPath(): string | undefined;
  /** A run's name, star or notes changed on disk: the sidebar's run list shows them. */
  runsChanged?(): void;
}

export class ResultsHost implements ResultsView {
  private panel: PanelLike | undefined;
  private ready = false;
  private runDirs: string[] = [];
  private runs: ResultsFile[] = [];
  private curves = new Map<string, TrainingPoint[]>();

  constructor(private readonly d: ResultsDeps) {}

  get isOpen(): boolean {
    return !!this.panel;
  }

  async showRuns(runDirs: string[]): Promise<void> {
    const runs: ResultsFile[] = [];
    const dirs: string[] = [];
    for (const dir of await expandStudyFolders(runDirs)) {
      const r = await readResults(dir);
      if (r) {
        runs.push(r);
        dirs.push(dir);
      } else this.d.log.warn(`results: no readable results.json in ${dir}`);
    }
    if (!runs.length) {
      void this.d.ui.error('Re2LLM: no readable results.json in the selected run(s).');
      return;
    }
    this.runs = runs;
    this.runDirs = dirs;
    await this.d.state.update(RESULTS_PANEL_KEY, dirs);
    if (!this.panel) this.adopt(this.d.createPanel());
    this.panel!.setTitle(runs.length > 1 ? `Re2LLM: compare ${runs.length} runs` : `Re2LLM: ${runs[0]!.run.name ?? runs[0]!.run.id}`);
    this.panel!.reveal();
    this.flush();
  }

  /** Takes over a panel (new, or revived by the serializer) and restores the saved runs. */
  adopt(panel: PanelLike, restore = false): void {
    this.panel = panel;
    this.ready = false;
    panel.onMessage((m) => void this.receive(m));
    panel.onDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
    if (restore) {
      const dirs = this.d.state.get<string[]>(RESULTS_PANEL_KEY) ?? [];
      void this.showRuns(dirs);
    }
  }

  trainingCurve(runId: string, points: TrainingPoint[]): void {
    this.curves.set(runId, points);
    if (this.panel && this.ready) void this.panel.postMessage({ type: 'results/trainingCurve', runId, points });
  }

  private flush(): void {
    if (!this.panel || !this.ready || !this.runs.length) return;
    void this.panel.postMessage({ type: 'results/show', runs: this.runs });
    for (const [runId, points] of this.curves) void this.panel.postMessage({ type: 'results/trainingCurve', runId, points });
  }

  async receive(raw: unknown): Promise<void> {
    const cmd = asResultsCommand(raw);
    if (!cmd) {
      this.d.log.warn('results: ignored malformed message from the webview');
      return;
    }
    try {
      await this.handle(cmd);
    } catch (err) {
      this.d.log.error(`results: ${cmd.type}: ${(err as Error).message}`);
      void this.d.ui.error(`Re2LLM: ${(err as Error).message}`);
    }
  }

  private dirOf(runId: string): { dir: string; results: ResultsFile } | undefined {
    const i = this.runs.findIndex((r) => r.run.id === runId);
    return i >= 0 ? { dir: this.runDirs[i]!, results: this.runs[i]! } : undefined;
  }

  private async handle(cmd: ResultsCommand): Promise<void> {
    switch (cmd.type) {
      case 'results/ready':
        this.ready = true;
        this.flush();
        return;
      case 'results/requestSession': {
        const run = this.dirOf(cmd.runId);
        if (!run) return this.d.log.warn(`results: unknown run ${basename(cmd.runId)}`);
        const detail = await this.d.core.sessionDetail(run.dir, run.results, cmd.sessionId, cmd.condition);
        void this.panel?.postMessage({ type: 'results/sessionDetail', detail });
        return;
      }
      case 'results/openHint':
        return this.openHint(cmd.hintId);
      case 'results/export':
        if (!this.dirOf(cmd.runId)) return this.d.log.warn('results: export of an unknown run ignored');
        return this.d.exportResults(cmd.runId, cmd.format);
      case 'results/compareRuns':
        return this.d.compareRuns();
      case 'results/comparePrompts':
        if (!this.dirOf(cmd.runId)) return this.d.log.warn('results: prompt diff of an unknown run ignored');
        return this.d.comparePrompts({ runId: cmd.runId, sessionId: cmd.sessionId, sides: [{ condition: 'no-hint' }, { condition: cmd.condition }] });
      case 'results/updateRun':
        return this.updateRun(cmd);
      default: {
        const never: never = cmd;
        throw new Error(`unhandled results command ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Name, star or notes of a shown run, written into its results.json (read-modify-write in the
   * core, which re-reads the file right before writing). The reply is a fresh snapshot, also on
   * failure, so the webview's controls show what is really on disk.
   */
  private async updateRun(cmd: Extract<ResultsCommand, { type: 'results/updateRun' }>): Promise<void> {
    const i = this.runs.findIndex((r) => r.run.id === cmd.runId);
    if (i < 0) return this.d.log.warn('results: update of an unknown run ignored');
    const dir = this.runDirs[i]!;
    const patch = { name: cmd.name, starred: cmd.starred, notes: cmd.notes };
    try {
      this.runs[i] = await updateRunInfo(dir, patch);
      this.d.log.info(`results: run ${basename(dir)} updated (${Object.entries(patch).filter(([, v]) => v !== undefined).map(([k]) => k).join(', ')})`);
      this.d.runsChanged?.();
    } finally {
      if (this.runs.length === 1) this.panel?.setTitle(`Re2LLM: ${this.runs[0]!.run.name ?? this.runs[0]!.run.id}`);
      this.flushRuns();
    }
  }

  private flushRuns(): void {
    if (this.panel && this.ready && this.runs.length) void this.panel.postMessage({ type: 'results/show', runs: this.runs });
  }

  private async openHint(hintId: string): Promise<void> {
    const fromRun = this.runs.find((r) => r.run.kb?.hintIds.includes(hintId))?.run.kb?.path;
    const candidates = [fromRun, this.d.currentKbPath()].filter((p): p is string => !!p);
    for (const path of candidates) {
      let text: string;
      try {
        text = await fsp.readFile(path, 'utf8');
      } catch {
        continue;
      }
      const hint = locateHints(text).find((h) => h.id === hintId);
      if (hint) return this.d.ui.openFile(path, { offset: hint.start });
    }
    void this.d.ui.warn(`Re2LLM: hint ${hintId} is no longer in the KB.`);
  }
}
