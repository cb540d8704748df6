/**
 * The study panel over vscode.WebviewPanel: the shared HTML shell (nonce-only CSP, roots limited
 * to the built webview folder and media/) with the study bundle and the results CSS plus its own.
 * One `wrap` for a new panel and for one VS Code revives after a reload (the serializer), so both
 * get the same options and HTML.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { renderWebviewHtml, webviewOptionsFor } from '../webviewHtml';
import { STUDY_VIEW_TYPE } from '../manifest/commands';
import type { StudyHost, StudyPanelLike } from './studyHost';
import { panelLike } from '../panelLike';

function wrap(panel: vscode.WebviewPanel, extensionPath: string): StudyPanelLike {
  panel.webview.options = webviewOptionsFor(extensionPath, vscode.Uri.file);
  const uri = (p: string) => panel.webview.asWebviewUri(vscode.Uri.file(join(extensionPath, p))).toString();
  panel.webview.html = renderWebviewHtml({
    cspSource: panel.webview.cspSource,
    title: 'Re2LLM Study',
    scriptUri: uri('dist/webview/study.js'),
    styleUris: [uri('media/results.css'), uri('media/study.css')],
    bodyAttributes: { 'data-page': 'study' },
  });
  panel.iconPath = vscode.Uri.file(join(extensionPath, 'media', 're2llm.svg'));
  return panelLike(panel);
}

export function createStudyPanel(extensionPath: string): StudyPanelLike {
  const panel = vscode.window.createWebviewPanel(STUDY_VIEW_TYPE, 'Re2LLM Study', vscode.ViewColumn.Active, webviewOptionsFor(extensionPath, vscode.Uri.file));
  return wrap(panel, extensionPath);
}

/** Restores the study panel after a window reload (registered for STUDY_VIEW_TYPE in extension.ts). */
export class StudySerializer implements vscode.WebviewPanelSerializer {
  constructor(
    private readonly extensionPath: string,
    private readonly host: () => Promise<StudyHost>,
  ) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
    await (await this.host()).restore(wrap(panel, this.extensionPath));
  }
}
