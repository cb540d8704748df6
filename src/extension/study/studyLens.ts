/** A "Run Study" CodeLens at the top of every *.study.json file. */
import * as vscode from 'vscode';

export const STUDY_SELECTOR: vscode.DocumentSelector = { scheme: 'file', pattern: '**/*.study.json' };

export class StudyCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return [new vscode.CodeLens(top, { title: '$(play) Run Study', command: 're2llm.runStudy', arguments: [doc.uri.fsPath], tooltip: 'Run every unfinished cell of this study and open the study panel' })];
  }
}
