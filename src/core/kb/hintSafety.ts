/**
 * What a hint may hold to be put into prompts. A KB is a hand-edited file, so wherever one is
 * loaded for run, train or evaluate, its enabled hints are checked here: a hint longer than
 * `reflection.maxHintChars`, or holding a newline or another control character, stops the
 * command with an error naming the KB file, the line and the hint id.
 *
 * Why an error and not "skip with a warning": the enabled hints are the agent's actions, so
 * silently dropping one changes the action set (and the KB fingerprint) of a run; a trained agent
 * would then be refused as stale for a reason nobody sees. The fix is one edit: shorten the text,
 * or set `"enabled": false` (disabled hints are never prompted and are not checked).
 */
import { findNodeAtLocation, type Node } from 'jsonc-parser';
import { InputError } from '../util/errors';
import { lineColumnOf } from './parse';
import { isEnabled, type HintKb } from './types';

/** C0 and C1 control characters (newline, tab, CR included), and the Unicode line/paragraph separators. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A description of the first character that would break the prompt's hint line, or undefined. */
export function unsafeCharacter(text: string): string | undefined {
  const m = UNSAFE.exec(text);
  if (!m) return undefined;
  const c = m[0].charCodeAt(0);
  const name = c === 10 ? 'a newline' : c === 13 ? 'a carriage return' : c === 9 ? 'a tab' : 'a control character';
  return `${name} (U+${c.toString(16).toUpperCase().padStart(4, '0')}) at character ${m.index + 1}`;
}

export interface HintSafetyOptions {
  /** reflection.maxHintChars. */
  maxHintChars: number;
}

/** Throws an InputError for the first enabled hint that cannot go into a prompt. */
export function assertHintsPromptable(kb: HintKb, file: string, text: string | null, root: Node | undefined, opts: HintSafetyOptions): void {
  kb.hints.forEach((h, i) => {
    if (!isEnabled(h)) return;
    const trimmed = h.text.trim();
    let problem: string | undefined;
    if (trimmed.length > opts.maxHintChars) problem = `has ${trimmed.length} characters (reflection.maxHintChars ${opts.maxHintChars})`;
    else {
      const unsafe = unsafeCharacter(trimmed);
      if (unsafe) problem = `holds ${unsafe}`;
    }
    if (!problem) return;
    const node = root ? findNodeAtLocation(root, ['hints', i, 'text']) : undefined;
    const line = node && text !== null ? lineColumnOf(text, node.offset).line : undefined;
    throw new InputError(`hint "${h.id}" ${problem}: it cannot go into a prompt; shorten or fix its text, or set "enabled": false`, file, line, `hints[${i}].text`);
  });
}

/**
 * The default of `reflection.maxHintChars`, for loaders called without a config (kb sits below
 * config in the layering; test/core/kb/robustness.test.ts checks the two agree).
 */
export const DEFAULT_MAX_HINT_CHARS = 300;
