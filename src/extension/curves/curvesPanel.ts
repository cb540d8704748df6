/** The training-curves panel over vscode.WebviewPanel (HTML from the one shell; reopens from the palette or the runs table). */
import * as vscode from 'vscode';
import { pageHtml, webviewOptionsFor } from '../webviewHtml';
import type { CurvesPanelLike } from './curvesHost';

const CURVES_VIEW_TYPE = 're2llm.curves';

export function createCurvesPanel(extensionPath: string): CurvesPanelLike {
  const panel = vscode.window.createWebviewPanel(CURVES_VIEW_TYPE, 'Re2LLM Training Curves', vscode.ViewColumn.Active, webviewOptionsFor(extensionPath, vscode.Uri.file));
  panel.webview.html = pageHtml(panel.webview, vscode.Uri.file, extensionPath, 'curves', 'Re2LLM Training Curves');
  panel.iconPath = vscode.Uri.file(`${extensionPath}/media/re2llm.svg`);
  return {
    postMessage: (m) => panel.webview.postMessage(m),
    reveal: () => panel.reveal(undefined, false),
    onMessage: (h) => void panel.webview.onDidReceiveMessage(h),
    onDispose: (h) => void panel.onDidDispose(h),
  };
}
