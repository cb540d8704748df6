/**
 * Three-way merge of KBs so a hand edit is never lost. `base` is what a writer loaded, `ours` what
 * it wants now, `theirs` what the file (or an unsaved editor buffer) holds now. The result starts
 * from theirs and applies only our changes relative to base, hint by hint (keyed by id) and field
 * by field; where both sides changed the same thing, theirs wins:
 * - a hint we added is appended, unless theirs already has that id or the same (normalised) text;
 * - a hint the user deleted stays deleted, even if we changed it;
 * - a field we changed is applied only if the user left it as it was in base;
 * - a hint we deleted is removed only if the user left it untouched.
 */
import { applyEdits, findNodeAtLocation, modify, parseTree, type FormattingOptions } from 'jsonc-parser';
import { canonicalJson } from '../util/hash';
import { parseKbText } from './parse';
import { normaliseText } from './text';
import type { HintKb, KbHint } from './types';

export interface MergeReport {
  /** Our hints appended to theirs. */
  added: string[];
  /** Our changes not applied, and why. */
  skipped: { id: string; reason: 'deleted-by-user' | 'edited-by-user' | 'same-text' | 'same-id' }[];
}

export interface MergeResult extends MergeReport {
  kb: HintKb;
}

const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);
const TOP_LEVEL = ['$schema', 'version', 'dataset'] as const;

/** Plan of the merge as operations on theirs (shared by the object and the text variants). */
interface MergePlan extends MergeReport {
  top: { key: (typeof TOP_LEVEL)[number]; value: unknown }[];
  /** Index in theirs.hints -> new value (undefined: delete). */
  replace: Map<number, KbHint | undefined>;
  append: KbHint[];
}

function plan(base: HintKb, ours: HintKb, theirs: HintKb): MergePlan {
  const B = new Map(base.hints.map((h) => [h.id, h]));
  const O = new Map(ours.hints.map((h) => [h.id, h]));
  const T = new Map(theirs.hints.map((h) => [h.id, h]));
  const out: MergePlan = { added: [], skipped: [], top: [], replace: new Map(), append: [] };

  for (const key of TOP_LEVEL) {
    if (!same(ours[key], base[key]) && same(theirs[key], base[key])) out.top.push({ key, value: ours[key] });
  }

  theirs.hints.forEach((t, i) => {
    const b = B.get(t.id);
    if (!b) return; // added by the user (or by both: theirs wins)
    const o = O.get(t.id);
    if (!o) {
      if (same(t, b)) out.replace.set(i, undefined);
      else out.skipped.push({ id: t.id, reason: 'edited-by-user' });
      return;
    }
    if (same(o, b)) return;
    const merged: Record<string, unknown> = { ...t };
    let changed = false;
    let conflict = false;
    const keys = new Set([...Object.keys(b), ...Object.keys(o), ...Object.keys(t)]);
    for (const k of keys) {
      const bv = (b as unknown as Record<string, unknown>)[k];
      const ov = (o as unknown as Record<string, unknown>)[k];
      const tv = (t as unknown as Record<string, unknown>)[k];
      if (same(ov, bv)) continue;
      if (same(tv, bv)) {
        if (ov === undefined) delete merged[k];
        else merged[k] = ov;
        changed = true;
      } else if (!same(tv, ov)) conflict = true;
    }
    if (changed) out.replace.set(i, merged as unknown as KbHint);
    if (conflict) out.skipped.push({ id: t.id, reason: 'edited-by-user' });
  });

  for (const o of ours.hints) {
    const b = B.get(o.id);
    if (b) {
      if (!T.has(o.id) && !same(o, b)) out.skipped.push({ id: o.id, reason: 'deleted-by-user' });
      continue;
    }
    if (T.has(o.id)) {
      if (!same(T.get(o.id), o)) out.skipped.push({ id: o.id, reason: 'same-id' });
      continue;
    }
    const norm = normaliseText(o.text);
    // Compared with what the result will hold (theirs minus the hints this merge removes).
    const theirsTexts = theirs.hints.filter((_, i) => !(out.replace.has(i) && out.replace.get(i) === undefined)).map((t) => normaliseText(t.text));
    if (norm && (theirsTexts.includes(norm) || out.append.some((a) => normaliseText(a.text) === norm))) {
      out.skipped.push({ id: o.id, reason: 'same-text' });
      continue;
    }
    out.append.push(o);
    out.added.push(o.id);
  }
  return out;
}

export function mergeKb(base: HintKb, ours: HintKb, theirs: HintKb): MergeResult {
  const p = plan(base, ours, theirs);
  const kb: HintKb = { ...theirs };
  for (const { key, value } of p.top) {
    if (value === undefined) delete (kb as unknown as Record<string, unknown>)[key];
    else (kb as unknown as Record<string, unknown>)[key] = value;
  }
  const hints: KbHint[] = [];
  theirs.hints.forEach((t, i) => {
    if (!p.replace.has(i)) hints.push(t);
    else {
      const r = p.replace.get(i);
      if (r) hints.push(r);
    }
  });
  kb.hints = [...hints, ...p.append];
  return { kb, added: p.added, skipped: p.skipped };
}

export interface TextMergeResult extends MergeResult {
  /** Theirs text with our changes applied as minimal JSON edits (their formatting kept). */
  text: string;
}

/**
 * mergeKb applied to a text (a file on disk or a dirty editor buffer): the user's formatting,
 * key order and layout survive; only the merged-in parts are written. Throws when theirs is not
 * a valid KB (the user is mid-edit: nothing can be merged safely; try again after they save).
 */
export function mergeKbText(theirsText: string, base: HintKb, ours: HintKb): TextMergeResult {
  const parsed = parseKbText(theirsText);
  if (!parsed.kb) {
    const first = parsed.diagnostics[0];
    throw new Error(`cannot merge into the current KB text: ${first ? first.message : 'invalid'}`);
  }
  const theirs = parsed.kb;
  const p = plan(base, ours, theirs);
  const fmt = formattingOf(theirsText);
  let text = theirsText;
  const edit = (path: (string | number)[], value: unknown, insert = false): void => {
    text = applyEdits(text, modify(text, path, value, { formattingOptions: fmt, isArrayInsertion: insert }));
  };
  for (const { key, value } of p.top) edit([key], value);
  // Replace/delete from the end so earlier indexes stay valid.
  for (const i of [...p.replace.keys()].sort((a, b) => b - a)) edit(['hints', i], p.replace.get(i));
  for (const h of p.append) text = appendHint(text, h, fmt) ?? (edit(['hints', -1], h, true), text);
  const merged = mergeKb(base, ours, theirs);
  return { ...merged, text: text.endsWith('\n') || !theirsText.endsWith('\n') ? text : text + '\n' };
}

/**
 * Appends a hint after the last element of a non-empty `hints` array, indented like that element,
 * touching nothing else (jsonc-parser's modify would reformat the whole array). Undefined when
 * the array is empty (modify handles that case well).
 */
function appendHint(text: string, hint: KbHint, fmt: FormattingOptions): string | undefined {
  const root = parseTree(text);
  const arr = root && findNodeAtLocation(root, ['hints']);
  const last = arr?.children?.[arr.children.length - 1];
  if (!last) return undefined;
  const lineStart = text.lastIndexOf('\n', last.offset) + 1;
  const lead = /^[ \t]*/.exec(text.slice(lineStart, last.offset))![0];
  const onOwnLine = text.slice(lineStart, last.offset).trim() === '';
  const unit = fmt.insertSpaces ? ' '.repeat(fmt.tabSize ?? 2) : '\t';
  const body = JSON.stringify(hint, null, unit).split('\n').join((fmt.eol ?? '\n') + (onOwnLine ? lead : ''));
  const at = last.offset + last.length;
  const sep = onOwnLine ? `,${fmt.eol ?? '\n'}${lead}` : ', ';
  return text.slice(0, at) + sep + body + text.slice(at);
}

function formattingOf(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const m = /\n([ \t]+)\S/.exec(text);
  const indent = m?.[1] ?? '  ';
  return indent.startsWith('\t') ? { insertSpaces: false, tabSize: 1, eol } : { insertSpaces: true, tabSize: indent.length, eol };
}
