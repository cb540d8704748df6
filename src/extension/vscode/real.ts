/** The wrappers of `types.ts` over the real VS Code API. Thin on purpose: no logic lives here. */
import * as vscode from 'vscode';
import type { HostLog, Memento, OpenDocument, PickItem, Secrets, Settings, Ui, Vs, Workspace } from './types';

const SECTION = 're2llm';

function realUi(statusItem: () => vscode.StatusBarItem): Ui {
  return {
    info: (m, ...a) => Promise.resolve(vscode.window.showInformationMessage(m, ...a)),
    warn: (m, ...a) => Promise.resolve(vscode.window.showWarningMessage(m, ...a)),
    confirm: async (m, detail, action) => (await vscode.window.showWarningMessage(m, { modal: true, detail }, action)) === action,
    error: (m, ...a) => Promise.resolve(vscode.window.showErrorMessage(m, ...a)),
    pick: <T extends PickItem>(items: T[], o: { title: string; placeHolder?: string }) =>
      Promise.resolve(vscode.window.showQuickPick(items, { title: o.title, placeHolder: o.placeHolder })),
    pickMany: <T extends PickItem>(items: T[], o: { title: string; placeHolder?: string }) =>
      Promise.resolve(vscode.window.showQuickPick(items, { title: o.title, placeHolder: o.placeHolder, canPickMany: true })),
    input: (o) =>
      Promise.resolve(
        vscode.window.showInputBox({
          title: o.title,
          prompt: o.prompt,
          password: o.password,
          value: o.value,
          placeHolder: o.placeHolder,
          ignoreFocusOut: true,
          validateInput: o.validate,
        }),
      ),
    withProgress: (title, task) =>
      Promise.resolve(
        vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
          const ac = new AbortController();
          const sub = token.onCancellationRequested(() => ac.abort());
          return task((r) => progress.report(r), ac.signal).finally(() => sub.dispose());
        }),
      ),
    statusBar(text, tooltip, command) {
      const item = statusItem();
      if (text === undefined) return item.hide();
      item.text = text;
      item.tooltip = tooltip;
      item.command = command;
      item.show();
    },
    async openFile(path, o) {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path));
      const editor = await vscode.window.showTextDocument(doc, { preview: o?.preview ?? false });
      if (o?.offset !== undefined) {
        const pos = doc.positionAt(o.offset);
        editor.selection = new vscode.Selection(pos, pos);
        editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      }
    },
    executeCommand: (id, ...args) => Promise.resolve(vscode.commands.executeCommand(id, ...args)),
    async saveDialog(defaultPath, filters) {
      const uri = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(defaultPath), filters });
      return uri?.fsPath;
    },
    async openFolderDialog(title) {
      const uris = await vscode.window.showOpenDialog({ title, canSelectFolders: true, canSelectFiles: false, canSelectMany: false });
      return uris?.[0]?.fsPath;
    },
  };
}

function realSettings(): Settings {
  return {
    inspect: (key) => vscode.workspace.getConfiguration(SECTION).inspect(key),
    update: (key, value, target) =>
      Promise.resolve(
        vscode.workspace
          .getConfiguration(SECTION)
          .update(key, value, target === 'global' ? vscode.ConfigurationTarget.Global : vscode.ConfigurationTarget.Workspace),
      ),
  };
}

function findOpen(path: string): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === path);
}

function realWorkspace(): Workspace {
  return {
    isTrusted: () => vscode.workspace.isTrusted,
    folders: () => (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
    async findFiles(include, exclude, max) {
      const uris = await vscode.workspace.findFiles(include, exclude ?? '**/node_modules/**', max);
      return uris.filter((u) => u.scheme === 'file').map((u) => u.fsPath);
    },
    openDocument(path): OpenDocument | undefined {
      const d = findOpen(path);
      return d ? { path, text: d.getText(), isDirty: d.isDirty, version: d.version } : undefined;
    },
    async replaceDocumentText(path, expectedVersion, text) {
      const d = findOpen(path);
      if (!d || d.version !== expectedVersion) return false;
      const edit = new vscode.WorkspaceEdit();
      edit.replace(d.uri, new vscode.Range(d.positionAt(0), d.positionAt(d.getText().length)), text);
      return vscode.workspace.applyEdit(edit);
    },
  };
}

function realLog(channel: vscode.LogOutputChannel): HostLog {
  return {
    debug: (m) => channel.debug(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(m),
    show: () => channel.show(true),
  };
}

function realMemento(m: vscode.Memento): Memento {
  return { get: (k) => m.get(k), update: (k, v) => Promise.resolve(m.update(k, v)) };
}

function realSecrets(s: vscode.SecretStorage): Secrets {
  return { get: (k) => Promise.resolve(s.get(k)), store: (k, v) => Promise.resolve(s.store(k, v)), delete: (k) => Promise.resolve(s.delete(k)) };
}

export function createVs(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel): Vs {
  let item: vscode.StatusBarItem | undefined;
  const statusItem = () => {
    if (!item) {
      item = vscode.window.createStatusBarItem('re2llm.training', vscode.StatusBarAlignment.Left, 10);
      item.name = 'Re2LLM training';
      context.subscriptions.push(item);
    }
    return item;
  };
  return {
    ui: realUi(statusItem),
    secrets: realSecrets(context.secrets),
    settings: realSettings(),
    workspace: realWorkspace(),
    log: realLog(channel),
    workspaceState: realMemento(context.workspaceState),
    extensionPath: context.extensionUri.fsPath,
    globalStoragePath: context.globalStorageUri.fsPath,
  };
}
