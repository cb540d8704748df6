/** The prompt-diff panel over vscode.WebviewPanel (HTML from the one shell; reopens from the palette). */
import * as vscode from 'vscode';
import { pageHtml, webviewOptionsFor } from '../webviewHtml';
import type { PromptDiffPanelLike } from './promptDiffHost';

const PROMPT_DIFF_VIEW_TYPE = 're2llm.promptDiff';

export function createPromptDiffPanel(extensionPath: string): PromptDiffPanelLike {
  const panel = vscode.window.createWebviewPanel(PROMPT_DIFF_VIEW_TYPE, 'Re2LLM Prompt Diff', vscode.ViewColumn.Active, webviewOptionsFor(extensionPath, vscode.Uri.file));
  panel.webview.html = pageHtml(panel.webview, vscode.Uri.file, extensionPath, 'promptDiff', 'Re2LLM Prompt Diff');
  panel.iconPath = vscode.Uri.file(`${extensionPath}/media/re2llm.svg`);
  return {
    postMessage: (m) => panel.webview.postMessage(m),
    reveal: () => panel.reveal(undefined, false),
    onMessage: (h) => void panel.webview.onDidReceiveMessage(h),
    onDispose: (h) => void panel.onDidDispose(h),
  };
}
