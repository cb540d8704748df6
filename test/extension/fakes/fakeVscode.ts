/**
 * The one fake of the extension's VS Code wrappers (src/extension/vscode/types.ts). Records what
 * the logic showed, logged, stored and edited, and answers prompts from queues the test fills.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { HostLog, Memento, OpenDocument, PickItem, ProgressReport, SettingLayers, Vs } from '../../../src/extension/vscode/types';

export interface Shown {
  level: 'info' | 'warn' | 'error' | 'modal';
  message: string;
  actions: string[];
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** `**\/{a,b,*.c}` style globs as the logic uses them: match on the file name. */
function nameMatcher(glob: string): (name: string) => boolean {
  const m = /\{([^}]*)\}$/.exec(glob);
  const alts = m ? m[1]!.split(',') : [glob.replace(/^\*\*\//, '')];
  const res = alts.map((a) => new RegExp('^' + a.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$'));
  return (name) => res.some((r) => r.test(name));
}

export class FakeVs implements Vs {
  trusted = true;
  workspaceFolders: string[] = [];
  shown: Shown[] = [];
  logLines: { level: string; message: string }[] = [];
  secretsStore = new Map<string, string>();
  settingsLayers = new Map<string, SettingLayers>();
  settingUpdates: { key: string; value: unknown; target: string }[] = [];
  executed: { id: string; args: unknown[] }[] = [];
  opened: { path: string; offset?: number }[] = [];
  statusTexts: (string | undefined)[] = [];
  progressTitles: string[] = [];
  inputAnswers: (string | undefined)[] = [];
  pickAnswers: ((items: PickItem[]) => PickItem | PickItem[] | undefined)[] = [];
  messageAnswers: (string | undefined)[] = [];
  docs = new Map<string, OpenDocument>();
  edits: { path: string; text: string }[] = [];
  mementoStore = new Map<string, unknown>();
  saveAnswer: string | undefined;
  folderAnswer: string | undefined;

  constructor(
    readonly extensionPath = '/nonexistent-extension',
    readonly globalStoragePath = '/nonexistent-storage',
  ) {}

  private show(level: Shown['level'], message: string, actions: string[]): Promise<string | undefined> {
    this.shown.push({ level, message, actions });
    return Promise.resolve(this.messageAnswers.shift());
  }

  ui = {
    info: (m: string, ...a: string[]) => this.show('info', m, a),
    warn: (m: string, ...a: string[]) => this.show('warn', m, a),
    confirm: async (m: string, detail: string, action: string) => (await this.show('modal', `${m}\n${detail}`, [action])) === action,
    error: (m: string, ...a: string[]) => this.show('error', m, a),
    pick: async <T extends PickItem>(items: T[]): Promise<T | undefined> => this.pickAnswers.shift()?.(items) as T | undefined,
    pickMany: async <T extends PickItem>(items: T[]): Promise<T[] | undefined> => this.pickAnswers.shift()?.(items) as T[] | undefined,
    input: async () => this.inputAnswers.shift(),
    withProgress: async <T>(title: string, task: (report: (r: ProgressReport) => void, signal: AbortSignal) => Promise<T>): Promise<T> => {
      this.progressTitles.push(title);
      return task(() => {}, new AbortController().signal);
    },
    statusBar: (text: string | undefined) => void this.statusTexts.push(text),
    openFile: async (path: string, o?: { offset?: number }) => void this.opened.push({ path, offset: o?.offset }),
    executeCommand: async (id: string, ...args: unknown[]) => void this.executed.push({ id, args }),
    saveDialog: async () => this.saveAnswer,
    openFolderDialog: async () => this.folderAnswer,
  };

  secrets = {
    get: async (k: string) => this.secretsStore.get(k),
    store: async (k: string, v: string) => void this.secretsStore.set(k, v),
    delete: async (k: string) => void this.secretsStore.delete(k),
  };

  settings = {
    inspect: (key: string) => this.settingsLayers.get(key) ?? {},
    update: async (key: string, value: unknown, target: 'global' | 'workspace') => {
      this.settingUpdates.push({ key, value, target });
      const l = { ...(this.settingsLayers.get(key) ?? {}) };
      if (target === 'global') l.globalValue = value;
      else l.workspaceValue = value;
      this.settingsLayers.set(key, l);
    },
  };

  workspace = {
    isTrusted: () => this.trusted,
    folders: () => this.workspaceFolders,
    findFiles: async (include: string) => {
      const match = nameMatcher(include);
      return this.workspaceFolders.flatMap((f) => walk(f)).filter((p) => match(basename(p)));
    },
    openDocument: (path: string) => {
      const d = this.docs.get(path);
      return d ? { ...d } : undefined;
    },
    replaceDocumentText: async (path: string, version: number, text: string) => {
      const d = this.docs.get(path);
      if (!d || d.version !== version) return false;
      this.docs.set(path, { ...d, text, version: d.version + 1, isDirty: true });
      this.edits.push({ path, text });
      return true;
    },
  };

  log: HostLog = {
    debug: (m) => void this.logLines.push({ level: 'debug', message: m }),
    info: (m) => void this.logLines.push({ level: 'info', message: m }),
    warn: (m) => void this.logLines.push({ level: 'warn', message: m }),
    error: (m) => void this.logLines.push({ level: 'error', message: m }),
    show: () => void this.executed.push({ id: '(log.show)', args: [] }),
  };

  workspaceState: Memento = {
    get: <T>(k: string) => this.mementoStore.get(k) as T | undefined,
    update: async (k: string, v: unknown) => void this.mementoStore.set(k, structuredClone(v)),
  };

  /** Sets a `re2llm.*` setting's layers (key without the prefix). */
  setSetting(key: string, layers: SettingLayers): void {
    this.settingsLayers.set(key, layers);
  }

  /** Everything the user or the log could see, for "never leaks" assertions. */
  everythingVisible(): string {
    return JSON.stringify({ shown: this.shown, log: this.logLines, settings: this.settingUpdates, status: this.statusTexts, memento: [...this.mementoStore] });
  }
}
