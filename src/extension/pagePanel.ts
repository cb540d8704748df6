/**
 * A webview panel showing one page of dist/webview (HTML from the one shell, with its nonce-only
 * CSP, and the extension's icon), as the small PanelLike surface its host talks to: the runs
 * table, training curves and prompt diff (PAGE_PANELS). Opened from the palette, or restored
 * after a window reload by the serializer VS Code hands the old panel to.
 */
import * as vscode from 'vscode';
import { pageHtml, webviewOptionsFor, type WebviewPage } from './webviewHtml';
import { panelLike, type PanelLike } from './panelLike';
import { PAGE_PANELS, type PagePanelKind } from './manifest/commands';

/** Gives a new or restored panel its page, options and icon. */
export function showPage<Out>(panel: vscode.WebviewPanel, extensionPath: string, kind: PagePanelKind): PanelLike<Out> {
  const { page, title } = PAGE_PANELS[kind];
  panel.webview.options = webviewOptionsFor(extensionPath, vscode.Uri.file);
  panel.webview.html = pageHtml(panel.webview, vscode.Uri.file, extensionPath, page satisfies WebviewPage, title);
  panel.iconPath = vscode.Uri.file(`${extensionPath}/media/re2llm.svg`);
  return panelLike<Out>(panel);
}

export function openPagePanel<Out>(extensionPath: string, kind: PagePanelKind): PanelLike<Out> {
  const { viewType, title } = PAGE_PANELS[kind];
  const panel = vscode.window.createWebviewPanel(viewType, title, vscode.ViewColumn.Active, webviewOptionsFor(extensionPath, vscode.Uri.file));
  return showPage<Out>(panel, extensionPath, kind);
}
