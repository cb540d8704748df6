/** The runs table over vscode.WebviewPanel (HTML from the one shell; no serializer: it reopens from the palette). */
import * as vscode from 'vscode';
import { pageHtml, webviewOptionsFor } from '../webviewHtml';
import type { RunsPanelLike } from './runsTableHost';

export const RUNS_TABLE_VIEW_TYPE = 're2llm.runsTable';

export function createRunsPanel(extensionPath: string): RunsPanelLike {
  const panel = vscode.window.createWebviewPanel(RUNS_TABLE_VIEW_TYPE, 'Re2LLM Runs', vscode.ViewColumn.Active, webviewOptionsFor(extensionPath, vscode.Uri.file));
  panel.webview.html = pageHtml(panel.webview, vscode.Uri.file, extensionPath, 'runs', 'Re2LLM Runs');
  panel.iconPath = vscode.Uri.file(`${extensionPath}/media/re2llm.svg`);
  return {
    postMessage: (m) => panel.webview.postMessage(m),
    reveal: () => panel.reveal(undefined, false),
    onMessage: (h) => void panel.webview.onDidReceiveMessage(h),
    onDispose: (h) => void panel.onDidDispose(h),
  };
}
