/**
 * The KB file on disk. `loadKbFile` returns a snapshot (text + parsed KB); `saveKbMerged` writes a
 * desired KB atomically, first re-reading the file and, if it changed since the snapshot, merging
 * only our changes into the user's version (merge.ts). The caller keeps the returned snapshot as
 * the base of its next save.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../util/fs';
import { InputError } from '../util/errors';
import { lineColumnOf, parseKbText } from './parse';
import { mergeKb, mergeKbText, type MergeReport } from './merge';
import { emptyKb, type HintKb } from './types';
import { assertHintsPromptable, DEFAULT_MAX_HINT_CHARS } from './hintSafety';

export interface KbSnapshot {
  path: string;
  /** The file's text when loaded or last written; null when the file did not exist. */
  text: string | null;
  kb: HintKb;
}

export function formatKb(kb: HintKb): string {
  return JSON.stringify(kb, null, 2) + '\n';
}

/**
 * Synchronous, like the write below: a KB is small, and reflection reads it before every session
 * and writes it on its critical path, where each awaited fs call waits behind the answers of a
 * busy event loop (writeFileAtomicSync).
 */
async function readOrNull(path: string): Promise<string | null> {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(`cannot read KB: ${(err as Error).message}`, path);
  }
}

/** Parses KB text or throws an InputError naming the file, line and JSON path of the first problem. */
export function parseKbOrThrow(text: string, file: string, parsed = parseKbText(text)): HintKb {
  if (parsed.kb) return parsed.kb;
  const d = parsed.diagnostics[0]!;
  throw new InputError(d.message, file, lineColumnOf(text, d.range.start).line, d.path.length ? d.path.join('.') : undefined);
}

export interface LoadKbOptions {
  /** reflection.maxHintChars: longer enabled hints are refused (default: the setting's default). */
  maxHintChars?: number;
}

/**
 * A missing file loads as an empty KB (text null), so a first reflection run can create it.
 * Every enabled hint is checked before it can reach a prompt (hintSafety.ts): too long, or a
 * newline or control character, is an InputError naming the file, line and hint id.
 */
export async function loadKbFile(path: string, dataset?: string, opts: LoadKbOptions = {}): Promise<KbSnapshot> {
  const text = await readOrNull(path);
  return text === null ? { path, text: null, kb: emptyKb(dataset) } : parsedSnapshot(path, text, opts);
}

/**
 * The file again, parsed and checked only when its text is not the snapshot's: a loop that
 * re-reads the KB before every step (so hand edits count at once) pays a read, not a parse.
 */
export async function reloadKbFile(snapshot: KbSnapshot, dataset?: string, opts: LoadKbOptions = {}): Promise<KbSnapshot> {
  const text = await readOrNull(snapshot.path);
  if (text === snapshot.text) return snapshot;
  return text === null ? { path: snapshot.path, text: null, kb: emptyKb(dataset) } : parsedSnapshot(snapshot.path, text, opts);
}

function parsedSnapshot(path: string, text: string, opts: LoadKbOptions): KbSnapshot {
  const parsed = parseKbText(text);
  const kb = parseKbOrThrow(text, path, parsed);
  assertHintsPromptable(kb, path, text, parsed.root, { maxHintChars: opts.maxHintChars ?? DEFAULT_MAX_HINT_CHARS });
  return { path, text, kb };
}

export interface SaveResult extends MergeReport {
  snapshot: KbSnapshot;
  /** True when the file had changed since the snapshot and our changes were merged into it. */
  merged: boolean;
}

/**
 * Writes `desired` to `path` without losing edits made to the file since `snapshot` was taken.
 * Throws (writing nothing) when the file now holds invalid JSON: the user is mid-edit.
 */
export async function saveKbMerged(path: string, snapshot: KbSnapshot, desired: HintKb): Promise<SaveResult> {
  // Re-read until two reads agree, so a save landing during our merge is not overwritten.
  for (let attempt = 0; ; attempt++) {
    const current = await readOrNull(path);
    const changed = current !== snapshot.text;
    let text: string;
    let kb: HintKb;
    let report: MergeReport;
    if (current === null) {
      // Never created: theirs is the empty KB we loaded. Deleted since: theirs holds no hints
      // (the user's deletion of the hints we had loaded wins; our additions are kept).
      const theirs: HintKb = snapshot.text === null ? snapshot.kb : { ...snapshot.kb, hints: [] };
      const r = mergeKb(snapshot.kb, desired, theirs);
      kb = r.kb;
      report = r;
      text = formatKb(kb);
    } else {
      let r;
      try {
        r = mergeKbText(current, snapshot.kb, desired);
      } catch (err) {
        throw new InputError(`not saved, the file was changed and is not a valid KB now (${(err as Error).message}); fix it and run again`, path);
      }
      ({ kb, text } = r);
      report = r;
    }
    const again = await readOrNull(path);
    if (again !== current) {
      if (attempt < 5) continue;
      // Still changing under us: writing now could drop an edit, so write nothing.
      throw new InputError('not saved, the file kept changing while the new hints were merged; run again when it is quiet', path);
    }
    if (text !== current) writeFileAtomicSync(path, text);
    return { snapshot: { path, text, kb }, merged: changed, added: report.added, skipped: report.skipped };
  }
}
