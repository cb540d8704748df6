/**
 * Everything the extension needs beyond activation, loaded on first use (a command, the sidebar,
 * a KB document, a restored results panel): the wrappers, the controller, the core adapter.
 */
import * as vscode from 'vscode';
import { createVs } from './vscode/real';
import { Studio } from './host/studio';
import { Actions } from './host/actions';
import { commandHandlers, type Handler } from './host/commands';
import { ResultsHost } from './results/resultsHost';
import { createResultsPanel, ResultsSerializer } from './results/resultsPanel';
import { SidebarViewProvider } from './sidebar/sidebarView';
import { KbEditing } from './kb/kbEditing';
import { createCore } from './coreAdapter/load';
import { RunsTableHost } from './runs/runsTableHost';
import { createRunsPanel } from './runs/runsTablePanel';
import { bootStudy } from './study/bootStudy';
import { StudySerializer } from './study/studyPanel';
import { CurvesHost } from './curves/curvesHost';
import { createCurvesPanel } from './curves/curvesPanel';
import { PromptDiffHost, asPromptDiffRequest } from './promptDiff/promptDiffHost';
import { createPromptDiffPanel } from './promptDiff/promptDiffPanel';
import { showPage } from './pagePanel';
import type { PagePanelKind } from './manifest/commands';

export interface Booted {
  handlers: Record<string, Handler>;
  sidebar: SidebarViewProvider;
  serializer: ResultsSerializer;
  studySerializer: StudySerializer;
  /** Takes back a runs table, curves or prompt-diff panel VS Code restored after a window reload. */
  restorePanel(kind: PagePanelKind, panel: vscode.WebviewPanel, state: unknown): void;
  studio: Studio;
}

export function boot(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel): Booted {
  const t0 = performance.now();
  const vs = createVs(context, channel);
  const core = createCore(vs.extensionPath);
  // The sidebar's buttons run commands of the one table below.
  let handlers: Record<string, Handler> = {};
  const studio = new Studio(vs, core, process.env, (id, ...args) => handlers[id]?.(...args));
  const actions = new Actions(studio);
  const results = new ResultsHost({
    core,
    ui: vs.ui,
    log: vs.log,
    state: vs.workspaceState,
    createPanel: () => createResultsPanel(vs.extensionPath),
    exportResults: (runId, format) => actions.exportResults(runId, format),
    compareRuns: () => actions.compareRuns(),
    comparePrompts: (req) => promptDiff.open(asPromptDiffRequest(req)),
    runsChanged: () => void studio.refresh(),
    currentKbPath: () => {
      const wc = studio.safeConfig();
      return wc ? studio.kbPathFor(wc) : undefined;
    },
  });
  studio.results = results;
  const selectedRuns = async () => {
    const wc = await studio.selectedConfig();
    return wc ? studio.runs(wc.resolved.config) : undefined;
  };
  const curves = new CurvesHost({ ui: vs.ui, log: vs.log, createPanel: () => createCurvesPanel(vs.extensionPath), runs: selectedRuns });
  const promptDiff = new PromptDiffHost({
    ui: vs.ui,
    log: vs.log,
    createPanel: () => createPromptDiffPanel(vs.extensionPath),
    runs: selectedRuns,
    sessionDetail: (dir, r, sessionId, condition) => core.sessionDetail(dir, r, sessionId, condition),
  });
  const runsTable = new RunsTableHost({
    ui: vs.ui,
    log: vs.log,
    state: vs.workspaceState,
    createPanel: () => createRunsPanel(vs.extensionPath),
    runs: async () => {
      const wc = await studio.selectedConfig();
      return wc ? { runsDir: wc.resolved.config.output.runsDir, runs: await studio.runs(wc.resolved.config) } : undefined;
    },
    runningDirs: () => studio.jobs.running().map((j) => j.runDir).filter((d): d is string => !!d),
    showRuns: (dirs) => results.showRuns(dirs),
    plotCurves: (ids) => curves.open(ids),
    runsChanged: () => void studio.refresh(),
  });
  const kb = new KbEditing(studio);
  kb.register(context.subscriptions);
  handlers = commandHandlers(studio, actions);
  handlers['re2llm.openRunsTable'] = () => runsTable.open();
  // Args (optional): { runId, sessionId, sides: [{ runId?, condition }, …] }, e.g. from a results-panel session row.
  handlers['re2llm.comparePrompts'] = (req) => promptDiff.open(asPromptDiffRequest(req));
  handlers['re2llm.openCurves'] = (ids) => curves.open(Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : undefined);
  handlers['re2llm.disableHint'] = (uri, index) => kb.disableHint(uri as vscode.Uri, index as number);
  const study = bootStudy(vs, studio, results, context.subscriptions);
  handlers['re2llm.runStudy'] = (file) => study.run(file);

  // The sidebar snapshot depends on trust, settings, datasets, runs and KB files.
  const refresh = () => {
    studio.scheduleRefresh();
    void runsTable.refresh();
    void curves.refresh();
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/{re2llm.config.json,*.hints.json,results.json,manifest.json,items.jsonl,*.inter,example_train.txt,interactions.csv}');
  context.subscriptions.push(
    watcher,
    watcher.onDidCreate(refresh),
    watcher.onDidDelete(refresh),
    watcher.onDidChange(refresh),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      vs.log.info('workspace trusted: workspace endpoint settings now apply');
      refresh();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('re2llm') && refresh()),
    vscode.workspace.onDidChangeWorkspaceFolders(refresh),
  );
  // The curves panel follows a training as it writes metrics.jsonl (one line per PPO update): at most one re-read a second.
  const metricsWatcher = vscode.workspace.createFileSystemWatcher('**/metrics.jsonl');
  let curvesTimer: ReturnType<typeof setTimeout> | undefined;
  const refreshCurves = () => {
    curvesTimer ??= setTimeout(() => {
      curvesTimer = undefined;
      void curves.refresh();
    }, 1000);
  };
  context.subscriptions.push(metricsWatcher, metricsWatcher.onDidCreate(refreshCurves), metricsWatcher.onDidChange(refreshCurves), { dispose: () => clearTimeout(curvesTimer) });
  if (!vs.workspace.isTrusted()) vs.log.warn('Restricted Mode: workspace endpoint/model settings are ignored; no LLM call or training will start');
  vs.log.info(`host loaded in ${(performance.now() - t0).toFixed(1)} ms`);
  return {
    handlers,
    sidebar: new SidebarViewProvider(vs.extensionPath, studio.sidebar),
    serializer: new ResultsSerializer(vs.extensionPath, async () => results),
    studySerializer: new StudySerializer(vs.extensionPath, async () => study),
    restorePanel: (kind, panel, state) => {
      if (kind === 'runsTable') runsTable.restore(showPage(panel, vs.extensionPath, kind));
      else if (kind === 'curves') curves.restore(showPage(panel, vs.extensionPath, kind), state);
      else promptDiff.restore(showPage(panel, vs.extensionPath, kind));
    },
    studio,
  };
}
