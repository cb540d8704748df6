/** The sidebar WebviewViewProvider: HTML from the one shell, messages through SidebarChannel. */
import * as vscode from 'vscode';
import { pageHtml, webviewOptionsFor } from '../webviewHtml';
import type { SidebarChannel } from './sidebarChannel';

export class SidebarViewProvider implements vscode.WebviewViewProvider {
  constructor(
    private readonly extensionPath: string,
    private readonly channel: SidebarChannel,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    // No retainContextWhenHidden: the webview persists its state with setState and asks again on ready.
    view.webview.options = webviewOptionsFor(this.extensionPath, vscode.Uri.file);
    view.webview.html = pageHtml(view.webview, vscode.Uri.file, this.extensionPath, 'sidebar', 'Re2LLM');
    const poster = { postMessage: (m: unknown) => view.webview.postMessage(m) };
    this.channel.attach(poster);
    const sub = view.webview.onDidReceiveMessage((m) => void this.channel.receive(m));
    view.onDidDispose(() => {
      sub.dispose();
      this.channel.detach(poster);
    });
  }
}
