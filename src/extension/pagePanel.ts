/**
 * A webview panel showing one page of dist/webview (HTML from the one shell, with its nonce-only
 * CSP, and the extension's icon), as the small PanelLike surface its host talks to. For panels
 * without a serializer (runs table, training curves, prompt diff): they reopen from the palette.
 */
import * as vscode from 'vscode';
import { pageHtml, webviewOptionsFor, type WebviewPage } from './webviewHtml';
import { panelLike, type PanelLike } from './panelLike';

export function openPagePanel<Out>(extensionPath: string, viewType: string, page: WebviewPage, title: string): PanelLike<Out> {
  const panel = vscode.window.createWebviewPanel(viewType, title, vscode.ViewColumn.Active, webviewOptionsFor(extensionPath, vscode.Uri.file));
  panel.webview.html = pageHtml(panel.webview, vscode.Uri.file, extensionPath, page, title);
  panel.iconPath = vscode.Uri.file(`${extensionPath}/media/re2llm.svg`);
  return panelLike<Out>(panel);
}
