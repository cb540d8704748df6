/**
 * The results panel over vscode.WebviewPanel: one options function for create and revive (same
 * local roots), HTML from the shared shell, and a serializer that restores the panel after reload.
 */
import * as vscode from 'vscode';
import { pageHtml, webviewOptionsFor } from '../webviewHtml';
import { RESULTS_VIEW_TYPE } from '../manifest/commands';
import type { PanelLike, ResultsHost } from './resultsHost';
import { panelLike } from '../panelLike';

function wrap(panel: vscode.WebviewPanel, extensionPath: string): PanelLike {
  panel.webview.options = webviewOptionsFor(extensionPath, vscode.Uri.file);
  panel.webview.html = pageHtml(panel.webview, vscode.Uri.file, extensionPath, 'results', 'Re2LLM Results');
  panel.iconPath = vscode.Uri.file(`${extensionPath}/media/re2llm.svg`);
  return panelLike(panel);
}

export function createResultsPanel(extensionPath: string): PanelLike {
  const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, 'Re2LLM Results', vscode.ViewColumn.Active, webviewOptionsFor(extensionPath, vscode.Uri.file));
  return wrap(panel, extensionPath);
}

export class ResultsSerializer implements vscode.WebviewPanelSerializer {
  constructor(
    private readonly extensionPath: string,
    private readonly host: () => Promise<ResultsHost>,
  ) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
    (await this.host()).adopt(wrap(panel, this.extensionPath), true);
  }
}
