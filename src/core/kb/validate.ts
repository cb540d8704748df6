/**
 * `validateKb`: schema plus semantics, as plain diagnostics with JSON paths and character ranges.
 * The CLI (`re2llm kb validate`) prints them; the extension maps them to VS Code diagnostics.
 */
import { findNodeAtLocation, type Node } from 'jsonc-parser';
import { parseKbText, formatPath } from './parse';
import { contentTokens, NEAR_DUPLICATE_JACCARD, normaliseText, titleKey } from './text';
import { NearDuplicateIndex } from './nearDuplicates';
import { unsafeCharacter } from './hintSafety';
import { datasetTitleIndex } from './titleIndex';
import type { Diagnostic, DiagnosticSeverity, HintKb, KbHint } from './types';

export interface ValidateOptions {
  /** When given: the KB's `dataset` must match its name, and hints are checked for item titles. */
  dataset?: { name: string; items: Map<string, { id: string; title: string }> };
  /** Hints longer than this are flagged (config reflection.maxHintChars). */
  maxHintChars: number;
}

export function validateKb(text: string, opts: ValidateOptions): Diagnostic[] {
  const parsed = parseKbText(text);
  if (!parsed.root) return parsed.diagnostics;
  // Semantic checks still run on a KB with schema errors (on the hints whose id and text are
  // strings), so one typo does not hide every other finding in the editor.
  const loose = parsed.kb ?? looseKb(parsed.value);
  const all = loose ? [...parsed.diagnostics, ...semanticDiagnostics(loose, parsed.root, opts)] : parsed.diagnostics;
  // In document order, as an editor and a reader expect.
  return all.map((d, i) => ({ d, i })).sort((a, b) => a.d.range.start - b.d.range.start || a.i - b.i).map(({ d }) => d);
}

function looseKb(value: unknown): { kb: HintKb; indexes: number[] } | undefined {
  const v = value as { dataset?: unknown; hints?: unknown } | null;
  if (!v || typeof v !== 'object' || !Array.isArray(v.hints)) return undefined;
  const indexes: number[] = [];
  const hints = v.hints.filter((h: unknown, i: number) => {
    const ok = !!h && typeof h === 'object' && typeof (h as KbHint).id === 'string' && typeof (h as KbHint).text === 'string';
    if (ok) indexes.push(i);
    return ok;
  }) as KbHint[];
  return { kb: { version: 1, hints, ...(typeof v.dataset === 'string' ? { dataset: v.dataset } : {}) }, indexes };
}

export function hasErrors(diags: Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

function semanticDiagnostics(input: HintKb | { kb: HintKb; indexes: number[] }, root: Node, opts: ValidateOptions): Diagnostic[] {
  const kb = 'kb' in input ? input.kb : input;
  // Position in the file of kb.hints[j] (differs from j when invalid hints were left out).
  const fileIndex = (j: number): number => ('kb' in input ? input.indexes[j]! : j);
  const out: Diagnostic[] = [];
  const at = (path: (string | number)[]): { start: number; end: number } => {
    const node = findNodeAtLocation(root, path);
    return node ? { start: node.offset, end: node.offset + node.length } : { start: 0, end: 0 };
  };
  const push = (severity: DiagnosticSeverity, code: Diagnostic['code'], path: (string | number)[], message: string, relatedHintId?: string): void => {
    out.push({ severity, code, path, range: at(path), message: `${formatPath(path)}: ${message}`, ...(relatedHintId ? { relatedHintId } : {}) });
  };

  if (opts.dataset && kb.dataset !== undefined && kb.dataset !== opts.dataset.name) {
    push('warning', 'dataset-mismatch', ['dataset'], `KB is for dataset "${kb.dataset}", checked against "${opts.dataset.name}"`);
  }

  const firstById = new Map<string, number>();
  const firstByNorm = new Map<string, string>();
  const near = new NearDuplicateIndex(kb.hints.map((h) => contentTokens(h.text.trim())), NEAR_DUPLICATE_JACCARD);
  const titles = opts.dataset ? datasetTitleIndex(opts.dataset.items) : undefined;

  kb.hints.forEach((h, j) => {
    const i = fileIndex(j);
    const prev = firstById.get(h.id);
    if (prev !== undefined) push('error', 'duplicate-id', ['hints', i, 'id'], `duplicate id "${h.id}" (first used by hints[${prev}])`, h.id);
    else firstById.set(h.id, i);

    const trimmed = h.text.trim();
    if (!trimmed) {
      push('error', 'empty', ['hints', i, 'text'], 'hint text is empty');
      return;
    }
    if (trimmed.length > opts.maxHintChars) {
      push('warning', 'overlong', ['hints', i, 'text'], `hint text has ${trimmed.length} characters (limit ${opts.maxHintChars})`);
    }
    const unsafe = unsafeCharacter(h.text);
    if (unsafe) push('error', 'control-characters', ['hints', i, 'text'], `hint text holds ${unsafe}: it would break the one-line "Hint:" of the prompt (run, train and evaluate refuse it while it is enabled)`);

    const norm = normaliseText(trimmed);
    const sameId = firstByNorm.get(norm);
    if (sameId !== undefined) {
      push('warning', 'duplicate-text', ['hints', i, 'text'], `same text as hint "${sameId}"`, sameId);
    } else {
      const best = near.bestEarlier(j);
      if (best) push('warning', 'near-duplicate', ['hints', i, 'text'], `nearly the same as hint "${kb.hints[best.index]!.id}" (word overlap ${best.sim.toFixed(2)})`, kb.hints[best.index]!.id);
    }
    // Every hint is a possible near-duplicate target, as before (also exact duplicates).
    near.add(j);
    if (sameId === undefined) firstByNorm.set(norm, h.id);

    // One entry per distinct title (a dataset may hold "Toy story" and "Toy Story").
    const named = [...new Map((titles?.find(trimmed) ?? []).map((m) => [titleKey(m.title), m])).values()];
    if (named.length) {
      const list = named.slice(0, 3).map((m) => `"${m.title}"`).join(', ');
      // A named title is an answer, not knowledge: the hint is invalid, so this is an error.
      push('error', 'leak', ['hints', i, 'text'], `names item title${named.length > 1 ? 's' : ''} ${list}${named.length > 3 ? ` and ${named.length - 3} more` : ''}: a hint should carry knowledge, not an answer`);
    }
  });
  return out;
}
