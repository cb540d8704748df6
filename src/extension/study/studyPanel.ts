/**
 * The study panel over vscode.WebviewPanel: the shared HTML shell (nonce-only CSP, roots limited
 * to the built webview folder and media/) with the study bundle and the results CSS plus its own.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { renderWebviewHtml, webviewOptionsFor } from '../webviewHtml';
import { STUDY_VIEW_TYPE } from '../manifest/commands';
import type { StudyPanelLike } from './studyHost';
import { panelLike } from '../panelLike';

export function createStudyPanel(extensionPath: string): StudyPanelLike {
  const options = webviewOptionsFor(extensionPath, vscode.Uri.file);
  const panel = vscode.window.createWebviewPanel(STUDY_VIEW_TYPE, 'Re2LLM Study', vscode.ViewColumn.Active, options);
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
