/**
 * The KB as an ordinary JSON document, plus: the core's semantic diagnostics refreshed as you type
 * (debounced), CodeLens per hint (statistics from the latest evaluation, "Try this hint"), a quick
 * fix that disables a duplicate, and stale-agent marking on save. The core computes everything as
 * plain data with character offsets; this file only maps it to VS Code.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { Diagnostic as KbDiagnostic } from '../../core/kb/types';
import type { SessionDataset } from '../../core/data/types';
import type { Studio } from '../host/studio';
import { KB_GLOB } from '../manifest/commands';
import { Debouncer } from './debounce';
import { disableHintEdit, locateHints } from './locate';
import { lensesFor } from './lenses';
import { editorDiagnostics } from './editorDiagnostics';
import { TRY_HINT_SESSIONS } from '../actions/tryHint';

const DUPLICATE_CODES = new Set(['duplicate-text', 'near-duplicate']);
const SEVERITY: Record<KbDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function isKbDocument(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === 'file' && doc.fileName.endsWith('.hints.json');
}

export class KbEditing implements vscode.CodeLensProvider, vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  private readonly collection = vscode.languages.createDiagnosticCollection('re2llm-kb');
  private readonly debouncer = new Debouncer(300);
  private readonly lensEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensEmitter.event;
  private dataset: { key: string; value: Promise<SessionDataset | undefined> } | undefined;

  constructor(private readonly studio: Studio) {}

  register(subs: vscode.Disposable[]): void {
    subs.push(
      this.collection,
      this.lensEmitter,
      { dispose: () => this.debouncer.dispose() },
      vscode.workspace.onDidOpenTextDocument((d) => isKbDocument(d) && void this.validate(d)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (!isKbDocument(e.document)) return;
        const doc = e.document;
        this.debouncer.schedule(doc.uri.toString(), () => void this.validate(doc));
      }),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (!isKbDocument(d)) return;
        this.lensEmitter.fire();
        void this.studio.kbSaved(d.fileName);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.debouncer.cancel(d.uri.toString());
        this.collection.delete(d.uri);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('re2llm') && this.lensEmitter.fire()),
      vscode.languages.registerCodeLensProvider({ pattern: KB_GLOB }, this),
      vscode.languages.registerCodeActionsProvider({ pattern: KB_GLOB }, this, { providedCodeActionKinds: KbEditing.providedCodeActionKinds }),
    );
    for (const d of vscode.workspace.textDocuments) if (isKbDocument(d)) void this.validate(d);
  }

  /** The selected dataset, loaded once per dataset path for the title-leakage check (optional). */
  private async loadDataset(): Promise<SessionDataset | undefined> {
    const wc = await this.studio.selectedConfig();
    if (!wc) return undefined;
    const key = wc.resolved.config.dataset.path;
    if (this.dataset?.key !== key) {
      this.dataset = {
        key,
        value: this.studio.core.loadDataset(wc.resolved.config, this.studio.logger()).catch((err: Error) => {
          this.studio.vs.log.warn(`KB diagnostics: dataset not loaded, title leakage not checked: ${err.message}`);
          return undefined;
        }),
      };
    }
    return this.dataset.value;
  }

  async validate(doc: vscode.TextDocument): Promise<void> {
    const version = doc.version;
    const text = doc.getText();
    const maxHintChars = this.studio.safeConfig()?.resolved.config.reflection.maxHintChars ?? 300;
    const dataset = await this.loadDataset();
    const diags = await this.studio.core.validateKb(text, { dataset, maxHintChars });
    if (doc.isClosed || doc.version !== version) return; // a newer validation is on its way
    this.collection.set(
      doc.uri,
      editorDiagnostics(diags).map((d) => {
        const v = new vscode.Diagnostic(new vscode.Range(doc.positionAt(d.range.start), doc.positionAt(Math.max(d.range.end, d.range.start))), d.message, SEVERITY[d.severity]);
        v.source = 'Re2LLM';
        v.code = d.code;
        return v;
      }),
    );
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!vscode.workspace.getConfiguration('re2llm', doc.uri).get<boolean>('codeLens.enabled', true)) return [];
    const hints = locateHints(doc.getText());
    if (!hints.length) return [];
    const runs = (await this.studio.runs()).filter((r) => r.hasResults);
    const run = runs.find((r) => r.kb?.path && basename(r.kb.path) === basename(doc.fileName)) ?? runs[0];
    let stats;
    if (run) {
      const { readResults } = await import('../host/runs');
      const results = await readResults(run.dir);
      if (results) stats = { runId: results.run.id, hints: results.hints, totalPicks: results.hints.reduce((n, h) => n + h.picks, 0) };
    }
    return lensesFor(hints, stats, TRY_HINT_SESSIONS, doc.fileName).map((l) => {
      const pos = doc.positionAt(l.offset);
      return new vscode.CodeLens(new vscode.Range(pos, pos), { title: l.title, command: l.command ?? '', arguments: l.args });
    });
  }

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, ctx: vscode.CodeActionContext): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    const hints = locateHints(doc.getText());
    for (const d of ctx.diagnostics) {
      if (d.source !== 'Re2LLM' || !DUPLICATE_CODES.has(String(d.code))) continue;
      const at = doc.offsetAt(d.range.start);
      const hint = hints.find((h) => at >= h.start && at <= h.end);
      if (!hint || !hint.enabled) continue;
      const edit = disableHintEdit(doc.getText(), hint.index);
      if (!edit) continue;
      const action = new vscode.CodeAction(`Disable duplicate hint ${hint.id ?? `#${hint.index}`}`, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [d];
      action.isPreferred = true;
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(doc.uri, new vscode.Range(doc.positionAt(edit.offset), doc.positionAt(edit.offset + edit.length)), edit.newText);
      out.push(action);
    }
    return out;
  }

  /** `re2llm.disableHint` (uri, hint index): the quick fix as a command, for keybindings and tests. */
  async disableHint(uri: vscode.Uri, index: number): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(uri);
    const edit = typeof index === 'number' ? disableHintEdit(doc.getText(), index) : undefined;
    if (!edit) return;
    const we = new vscode.WorkspaceEdit();
    we.replace(uri, new vscode.Range(doc.positionAt(edit.offset), doc.positionAt(edit.offset + edit.length)), edit.newText);
    await vscode.workspace.applyEdit(we);
  }
}
