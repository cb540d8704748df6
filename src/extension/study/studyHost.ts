/**
 * Run Study in VS Code: runs a *.study.json through the core's study runner (training in the
 * worker process, as Run Full Pipeline does), with a cancellable progress notification, and
 * keeps the study panel showing the latest complete snapshot (after the ready handshake and after
 * every finished cell). A click on a cell in the panel opens that cell's results panel.
 * The study folder shown is kept in workspaceState, so after a window reload the serializer
 * (studyPanel.ts) hands the revived panel to `restore`, which shows that folder's study.json.
 * Plain TypeScript over the `Vs` wrappers, so tests drive it with the fakes.
 */
import type { PanelLike } from '../panelLike';
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { isStudyCommand, isStudyResults, type StudyCommand, type StudyNotification, type StudyResults } from '../../protocol/study';
import type { Logger } from '../../core/util/log';
import type { Vs } from '../vscode/types';

/** workspaceState key: the study folder whose study.json the panel shows. */
export const STUDY_PANEL_KEY = 're2llm.studyPanel.studyDir';
const STUDY_JSON = 'study.json';

/** The panel as the host needs it (vscode.WebviewPanel in studyPanel.ts, a fake in tests). */
export type StudyPanelLike = PanelLike<StudyNotification>;

export interface StudyHostDeps {
  vs: Vs;
  createPanel(): StudyPanelLike;
  /** Opens run folders in the results panel. */
  openRunDirs(dirs: string[]): Promise<void>;
  /**
   * Trust and key check before any LLM call: the API key and the environment variable the worker
   * reads it from (key '' when none is needed: the simulator), undefined to stop (the user was told why).
   */
  gate(action: string, simulated: boolean, configFile: string | undefined): Promise<{ apiKey: string; envName: string } | undefined>;
  packageVersion: string;
}

export class StudyHost {
  private panel: StudyPanelLike | undefined;
  private last: StudyNotification | undefined;
  private running = false;

  constructor(private readonly d: StudyHostDeps) {}

  private logger(): Logger {
    const log = this.d.vs.log;
    return { log: (level, message) => log[level](`study: ${message}`) };
  }

  /** Draws a snapshot in the panel (creating it if needed) and keeps it for the ready handshake. */
  showResults(results: StudyResults, running: boolean): void {
    this.last = { type: 'study/show', results, running };
    this.ensurePanel().setTitle(`Study: ${results.name}`);
    void this.panel?.postMessage(this.last);
  }

  private ensurePanel(): StudyPanelLike {
    if (this.panel) return this.panel;
    return this.adopt(this.d.createPanel());
  }

  private adopt(panel: StudyPanelLike): StudyPanelLike {
    panel.onMessage((m) => void this.receive(m));
    panel.onDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
    this.panel = panel;
    return panel;
  }

  /**
   * A panel VS Code revived after a reload: shows the remembered study folder's study.json (its
   * last aggregate; a study that was running when the window closed shows what finished before,
   * not running). Returns false, with the reason in the log and on the panel's title, when there
   * is nothing to show.
   */
  async restore(panel: StudyPanelLike): Promise<boolean> {
    this.adopt(panel);
    const dir = this.d.vs.workspaceState.get<string>(STUDY_PANEL_KEY);
    const file = dir ? join(dir, STUDY_JSON) : undefined;
    let results: unknown;
    try {
      results = file ? JSON.parse(await fsp.readFile(file, 'utf8')) : undefined;
    } catch (err) {
      this.d.vs.log.warn(`study panel: cannot restore ${file}: ${(err as Error).message}`);
    }
    if (!isStudyResults(results)) {
      if (file && results !== undefined) this.d.vs.log.warn(`study panel: ${file} is not a study result`);
      panel.setTitle('Re2LLM Study (nothing to restore: run the study again)');
      return false;
    }
    this.last = { type: 'study/show', results, running: false };
    panel.setTitle(`Study: ${results.name}`);
    await panel.postMessage(this.last);
    return true;
  }

  /** A message from the webview: checked, then handled. */
  async receive(raw: unknown): Promise<void> {
    if (!isStudyCommand(raw)) return void this.d.vs.log.warn(`study panel: ignored a malformed message ${JSON.stringify(raw)?.slice(0, 200)}`);
    const cmd: StudyCommand = raw;
    switch (cmd.type) {
      case 'study/ready':
        if (this.last) await this.panel?.postMessage(this.last);
        return;
      case 'study/openCell': {
        const cell = this.last?.results.cells.find((c) => c.id === cmd.cellId);
        if (!cell?.evalDir) return void this.d.vs.ui.info('Re2LLM: this cell has no results yet.');
        return this.d.openRunDirs([cell.evalDir]);
      }
      default: {
        const never: never = cmd;
        throw new Error(`unhandled study command ${JSON.stringify(never)}`);
      }
    }
  }

  /** The study file: the argument (a path or a Uri), else the active editor's document. */
  private async pickFile(arg: unknown): Promise<string | undefined> {
    if (typeof arg === 'string') return arg;
    const fsPath = (arg as { fsPath?: unknown } | undefined)?.fsPath;
    if (typeof fsPath === 'string') return fsPath;
    const files = await this.d.vs.workspace.findFiles('**/*.study.json', '**/node_modules/**', 50);
    if (!files.length) return void this.d.vs.ui.warn('Re2LLM: no *.study.json file in the workspace (examples: examples/studies/ in the Re2LLM Studio repository).');
    const picked = await this.d.vs.ui.pick(files.map((f) => ({ label: f.split(/[\\/]/).pop()!, description: f, path: f })), { title: 'Re2LLM: Run Study' });
    return picked?.path;
  }

  async run(arg?: unknown): Promise<void> {
    if (this.running) return void this.d.vs.ui.warn('Re2LLM: a study is already running.');
    const file = await this.pickFile(arg);
    if (!file) return;
    const open = this.d.vs.workspace.openDocument(file);
    if (open?.isDirty) return void this.d.vs.ui.warn('Re2LLM: save the study file first.');
    const { loadStudyFile } = await import('../../core/study/studyFile');
    const study = loadStudyFile(file);
    const simulated = study.file.llm === 'simulated';
    const gate = await this.d.gate('Run Study', simulated, study.configFile);
    if (!gate) return;
    const apiKey = gate.apiKey;
    const root = this.d.vs.workspace.folders()[0] ?? dirname(file);
    const outDir = join(root, 're2llm-studies', study.file.name);
    const { runStudy } = await import('../../core/study/runStudy');
    const { startStudySimulator } = await import('../../core/study/simulated');
    const { workerTrainer } = await import('../../worker/trainer');
    this.running = true;
    // The folder whose study.json a reloaded window shows (written when the study ends).
    await this.d.vs.workspaceState.update(STUDY_PANEL_KEY, outDir);
    this.ensurePanel().reveal();
    try {
      await this.d.vs.ui.withProgress(`Re2LLM: study ${study.file.name}`, async (report, signal) => {
        const sim = simulated ? await startStudySimulator(study, outDir, this.d.packageVersion) : undefined;
        try {
          const logger = this.logger();
          const result = await runStudy({
            study, outDir, packageVersion: this.d.packageVersion, logger, signal,
            trainer: workerTrainer({ logger, signal, ...(apiKey ? { env: { [gate.envName]: apiKey } } : {}) }),
            ...(sim ? { extraLayers: [sim.layer] } : {}),
            ...(apiKey ? { apiKey } : {}),
            onEvent: (e) => {
              if (e.kind === 'plan') report({ message: `${e.cells.filter((c) => !c.finished).length} of ${e.cells.length} cells to run (at most ${e.estimate.total} LLM calls)` });
              else if (e.kind === 'cell-start') report({ message: `cell ${e.position}/${e.total}: ${e.cell.cell.label}` });
              else if (e.kind === 'cell-done') report({ message: `${e.done}/${e.total} cells done`, increment: 100 / e.total });
              else if (e.kind === 'cell-failed') this.d.vs.log.error(`study cell ${e.cell.config.id} failed: ${e.error}`);
            },
            onSnapshot: (r) => this.showResults(r, true),
          });
          if (result.results) this.showResults(result.results, false);
          const r = result.results;
          if (r) this.d.vs.log.info(`study ${r.name}: ${r.cells.filter((c) => c.status === 'done').length}/${r.cells.length} cells, ${result.calls} LLM calls; ${result.studyPath}`);
          if (result.stopped) void this.d.vs.ui.warn(`Re2LLM: study stopped (${result.stopped}); run it again to continue.`);
        } finally {
          await sim?.sim.close();
        }
      });
    } finally {
      this.running = false;
    }
  }
}
