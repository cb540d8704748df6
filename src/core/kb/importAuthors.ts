/**
 * The authors' plain KB format: a JSON array of strings whose first entry is "" (the "no hint"
 * action), texts with HTML entities (`user&#39;s`). Converted to a HintKb with stable ids; the
 * action order is kept, so action i here is action i in the authors' code.
 */
import he from 'he';
import { InputError } from '../util/errors';
import { uniqueHintId } from './actions';
import type { HintKb, KbHint } from './types';

export interface ImportAuthorsOptions {
  dataset?: string;
  /** Recorded in each hint's provenance and used in error messages. */
  file?: string;
  createdAt?: string;
}

export function importAuthorsHints(array: unknown, opts: ImportAuthorsOptions = {}): HintKb {
  if (!Array.isArray(array)) throw new InputError('expected a JSON array of hint strings', opts.file);
  const taken = new Set<string>();
  const hints: KbHint[] = [];
  array.forEach((entry, i) => {
    if (typeof entry !== 'string') throw new InputError(`entry ${i} is ${entry === null ? 'null' : typeof entry}, expected a string`, opts.file, undefined, `[${i}]`);
    const text = he.decode(entry).replace(/\s+/g, ' ').trim();
    // The authors' action 0 is the empty "no hint"; ours is implicit.
    if (!text) return;
    hints.push({
      id: uniqueHintId(text, taken),
      text,
      enabled: true,
      source: 'imported',
      provenance: { ...(opts.file ? { file: opts.file } : {}), ...(opts.createdAt ? { createdAt: opts.createdAt } : {}) },
    });
  });
  return { version: 1, ...(opts.dataset ? { dataset: opts.dataset } : {}), hints };
}
