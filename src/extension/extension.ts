/**
 * activate/deactivate only. Registration is cheap and static (command ids, the sidebar view, the
 * results serializer); everything else, including the core, loads on first use from bootstrap.ts.
 * The activation time is logged to the "Re2LLM" output channel.
 */
import * as vscode from 'vscode';
import { COMMANDS, PAGE_PANELS, RESULTS_VIEW_TYPE, SIDEBAR_VIEW_ID, STUDY_VIEW_TYPE, type PagePanelKind } from './manifest/commands';
import type { Booted } from './bootstrap';

let booted: Booted | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const t0 = performance.now();
  const channel = vscode.window.createOutputChannel('Re2LLM', { log: true });
  context.subscriptions.push(channel);
  const load = async (): Promise<Booted> => {
    if (!booted) {
      const m = await import('./bootstrap');
      booted ??= m.boot(context, channel);
    }
    return booted;
  };

  for (const c of COMMANDS) {
    context.subscriptions.push(
      vscode.commands.registerCommand(c.id, async (...args: unknown[]) => {
        try {
          await (await load()).handlers[c.id]?.(...args);
        } catch (err) {
          channel.error(`${c.id}: ${(err as Error)?.stack ?? String(err)}`);
          void vscode.window.showErrorMessage(`Re2LLM: ${c.title} failed: ${(err as Error)?.message ?? String(err)}`);
        }
      }),
    );
  }
  context.subscriptions.push(
    vscode.window.registerWebviewViewProvider(SIDEBAR_VIEW_ID, {
      resolveWebviewView: async (view) => (await load()).sidebar.resolveWebviewView(view),
    }),
    vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => (await load()).serializer.deserializeWebviewPanel(panel),
    }),
    vscode.window.registerWebviewPanelSerializer(STUDY_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => (await load()).studySerializer.deserializeWebviewPanel(panel),
    }),
    ...(Object.keys(PAGE_PANELS) as PagePanelKind[]).map((kind) =>
      vscode.window.registerWebviewPanelSerializer(PAGE_PANELS[kind].viewType, {
        deserializeWebviewPanel: async (panel, state: unknown) => (await load()).restorePanel(kind, panel, state),
      }),
    ),
  );
  // KB and study documents get diagnostics and CodeLens: load the host when one is (or gets) opened.
  const isKb = (d: vscode.TextDocument) => d.uri.scheme === 'file' && (d.fileName.endsWith('.hints.json') || d.fileName.endsWith('.study.json'));
  if (vscode.workspace.textDocuments.some(isKb)) void load();
  else {
    const sub = vscode.workspace.onDidOpenTextDocument((d) => {
      if (!isKb(d)) return;
      sub.dispose();
      void load();
    });
    context.subscriptions.push(sub);
  }
  channel.info(`activated in ${(performance.now() - t0).toFixed(1)} ms (host and core load on first use)`);
}

/** How long deactivate waits for cancelled jobs to settle (the worker's SIGTERM/kill timers run in that time). */
export const DEACTIVATE_WAIT_MS = 5000;

/**
 * Stops running jobs (the worker checkpoints first) and waits for them to settle, up to
 * DEACTIVATE_WAIT_MS; they show as interrupted, with Resume, next time.
 */
export function deactivate(): Promise<void> | undefined {
  const b = booted;
  booted = undefined;
  return b?.studio.jobs.cancelAll(DEACTIVATE_WAIT_MS);
}
