/**
 * The small surface a panel host talks to (post, reveal, title, messages, dispose), over a real
 * VS Code webview panel: the results and study hosts take it so their tests run with fakes.
 */
import type * as vscode from 'vscode';

export interface PanelLike<Out> {
  postMessage(msg: Out): PromiseLike<boolean> | boolean;
  reveal(): void;
  setTitle(title: string): void;
  onMessage(handler: (msg: unknown) => void): void;
  onDispose(handler: () => void): void;
}

export function panelLike<Out>(panel: vscode.WebviewPanel): PanelLike<Out> {
  return {
    postMessage: (m) => panel.webview.postMessage(m),
    reveal: () => panel.reveal(undefined, false),
    setTitle: (t) => (panel.title = t),
    onMessage: (h) => void panel.webview.onDidReceiveMessage(h),
    onDispose: (h) => void panel.onDidDispose(h),
  };
}
