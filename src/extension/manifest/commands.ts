/**
 * Every command the extension contributes, in palette order. extension.ts registers exactly these
 * ids; `npm run generate` writes them into package.json (contributes.commands, activationEvents).
 */
export interface CommandSpec {
  id: string;
  title: string;
  /** Codicon shown where the command appears in a title bar. */
  icon?: string;
  /** False for commands that need arguments (CodeLens, quick fix): hidden from the palette. */
  palette?: boolean;
  /** Shown in the sidebar view's title bar. */
  viewTitle?: boolean;
}

export const COMMANDS: CommandSpec[] = [
  { id: 're2llm.startDemo', title: 'Start Demo (simulated LLM)', icon: '$(play-circle)', viewTitle: true },
  { id: 're2llm.setApiKey', title: 'Set API Key', icon: '$(key)' },
  { id: 're2llm.clearApiKey', title: 'Clear API Key' },
  { id: 're2llm.selectEndpoint', title: 'Select Endpoint/Model', icon: '$(server)' },
  { id: 're2llm.openDataset', title: 'Open Dataset…', icon: '$(database)' },
  { id: 're2llm.importDataset', title: 'Import Dataset…' },
  { id: 're2llm.reflect', title: 'Build Hint KB (Reflect)' },
  { id: 're2llm.openKb', title: 'Open Hint KB', icon: '$(book)' },
  { id: 're2llm.validateKb', title: 'Validate Hint KB' },
  { id: 're2llm.train', title: 'Train Retrieval Agent' },
  { id: 're2llm.stopTraining', title: 'Stop Training', icon: '$(debug-stop)' },
  { id: 're2llm.evaluate', title: 'Evaluate' },
  { id: 're2llm.openResults', title: 'Open Results', icon: '$(graph)', viewTitle: true },
  { id: 're2llm.compareRuns', title: 'Compare Runs' },
  { id: 're2llm.openRunsTable', title: 'Open Runs Table', icon: '$(table)', viewTitle: true },
  { id: 're2llm.openCurves', title: 'Open Training Curves', icon: '$(graph-line)' },
  { id: 're2llm.comparePrompts', title: 'Compare Prompts and Answers', icon: '$(diff)' },
  { id: 're2llm.exportResults', title: 'Export Results (CSV/LaTeX/JSON)' },
  { id: 're2llm.runPipeline', title: 'Run Full Pipeline' },
  { id: 're2llm.showLog', title: 'Show Log', icon: '$(output)' },
  { id: 're2llm.tryHint', title: 'Try This Hint on Validation Sessions', palette: false },
  { id: 're2llm.disableHint', title: 'Disable Hint', palette: false },
  // The sidebar's job cards (they need a job id).
  { id: 're2llm.cancelJob', title: 'Cancel Job', palette: false },
  { id: 're2llm.resumeTraining', title: 'Resume Training', palette: false },
  { id: 're2llm.runStudy', title: 'Run Study', icon: '$(beaker)' },
];

export const VIEW_CONTAINER_ID = 're2llm';
export const SIDEBAR_VIEW_ID = 're2llm.sidebar';
export const RESULTS_VIEW_TYPE = 're2llm.results';
export const KB_GLOB = '**/*.hints.json';
export const CONFIG_GLOB = '**/re2llm.config.json';
export const STUDY_VIEW_TYPE = 're2llm.study';
export const STUDY_GLOB = '**/*.study.json';

/**
 * The panels that show one page of dist/webview with no document behind them: each is restored
 * after a window reload by a serializer (its page keeps its own state), so each needs an
 * onWebviewPanel activation event. `page` names the bundle (webviewHtml.ts's WebviewPage).
 */
export const PAGE_PANELS = {
  runsTable: { viewType: 're2llm.runsTable', page: 'runs', title: 'Re2LLM Runs' },
  curves: { viewType: 're2llm.curves', page: 'curves', title: 'Re2LLM Training Curves' },
  promptDiff: { viewType: 're2llm.promptDiff', page: 'promptDiff', title: 'Re2LLM Prompt Diff' },
} as const;

export type PagePanelKind = keyof typeof PAGE_PANELS;
