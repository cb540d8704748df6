/**
 * How the rest of the pipeline sees a KB: the action list (0 = no hint, then the enabled hints in
 * file order), a fingerprint of that list (an agent trained on another fingerprint is stale), and
 * the stable id a hint text gets.
 */
import { canonicalJson, sha256Hex } from '../util/hash';
import { normaliseText } from './text';
import { NO_HINT, isEnabled, type ActionHint, type HintKb } from './types';

/** [no hint, ...enabled hints]: the action order used by training and evaluation. */
export function actionHints(kb: HintKb): ActionHint[] {
  return [NO_HINT, ...kb.hints.filter(isEnabled).map((h) => ({ id: h.id, text: h.text }))];
}

/**
 * sha256 of the enabled hints' ids and texts in action order. Changes iff the action set changes
 * (enabling, disabling, editing a text, reordering, adding, removing); notes, provenance and
 * disabled hints do not count.
 */
export function kbFingerprint(kb: HintKb): string {
  return sha256Hex(canonicalJson(actionHints(kb).slice(1).map((h) => [h.id, h.text])));
}

/** Stable id for a hint text: "h-" + 8 hex of the normalised text's sha256. */
export function hintIdFor(text: string): string {
  return 'h-' + sha256Hex(normaliseText(text)).slice(0, 8);
}

/** hintIdFor(text), suffixed "-2", "-3", ... until it is not in `taken` (which it then joins). */
export function uniqueHintId(text: string, taken: Set<string>): string {
  const base = hintIdFor(text);
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}
