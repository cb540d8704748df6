/**
 * The slice of the VS Code API the extension's logic uses, as plain interfaces. `real.ts`
 * implements them over `vscode`; tests use the one fake in test/extension/fakes/. Everything
 * outside this folder (and the few view/provider adapters) is plain TypeScript.
 */
export interface PickItem {
  label: string;
  description?: string;
  detail?: string;
  /** Pre-selected in a multi-select pick. */
  picked?: boolean;
}

export interface ProgressReport {
  message?: string;
  /** Percentage points to add (VS Code's increment semantics). */
  increment?: number;
}

export interface Ui {
  info(message: string, ...actions: string[]): Promise<string | undefined>;
  warn(message: string, ...actions: string[]): Promise<string | undefined>;
  error(message: string, ...actions: string[]): Promise<string | undefined>;
  /** A modal warning with one action (and VS Code's Cancel); true when the action was chosen. */
  confirm(message: string, detail: string, action: string): Promise<boolean>;
  pick<T extends PickItem>(items: T[], opts: { title: string; placeHolder?: string }): Promise<T | undefined>;
  pickMany<T extends PickItem>(items: T[], opts: { title: string; placeHolder?: string }): Promise<T[] | undefined>;
  input(opts: { title: string; prompt?: string; password?: boolean; value?: string; placeHolder?: string; validate?: (v: string) => string | undefined }): Promise<string | undefined>;
  /** A notification with a progress bar and a Cancel button; `signal` aborts when the user cancels. */
  withProgress<T>(title: string, task: (report: (r: ProgressReport) => void, signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Shows (text defined) or hides (undefined) the one status-bar item. */
  statusBar(text: string | undefined, tooltip?: string, command?: string): void;
  openFile(path: string, opts?: { preview?: boolean; offset?: number }): Promise<void>;
  executeCommand(id: string, ...args: unknown[]): Promise<unknown>;
  saveDialog(defaultPath: string, filters: Record<string, string[]>): Promise<string | undefined>;
  openFolderDialog(title: string): Promise<string | undefined>;
}

export interface Secrets {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** One `re2llm.*` setting by layer (VS Code's `inspect`). */
export interface SettingLayers {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

export interface Settings {
  /** `key` without the `re2llm.` prefix, e.g. "llm.model". */
  inspect(key: string): SettingLayers | undefined;
  update(key: string, value: unknown, target: 'global' | 'workspace'): Promise<void>;
}

/** An open text document as the logic needs to see it. */
export interface OpenDocument {
  path: string;
  text: string;
  isDirty: boolean;
  version: number;
}

export interface Workspace {
  isTrusted(): boolean;
  /** Absolute paths of the workspace folders. */
  folders(): string[];
  /** Absolute paths of files matching a glob in the workspace. */
  findFiles(include: string, exclude?: string, max?: number): Promise<string[]>;
  /** The document if it is open in the editor (dirty or not). */
  openDocument(path: string): OpenDocument | undefined;
  /** Replaces a document's whole text through a WorkspaceEdit (undoable, never touches disk). */
  replaceDocumentText(path: string, expectedVersion: number, text: string): Promise<boolean>;
}

export interface HostLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  show(): void;
}

/** workspaceState / globalState. */
export interface Memento {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Promise<void>;
}

export interface Vs {
  ui: Ui;
  secrets: Secrets;
  settings: Settings;
  workspace: Workspace;
  log: HostLog;
  workspaceState: Memento;
  /** Absolute path of the installed extension (bundled example, media, schemas). */
  extensionPath: string;
  /** Private storage for runs when no workspace folder is open. */
  globalStoragePath: string;
}
