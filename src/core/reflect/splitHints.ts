/**
 * Splits the model's final reflection answer into candidate hints. Unlike the authors' code,
 * which kept only the last sentence of each item, a hint is the whole item: numbering, bullets,
 * markdown emphasis, a "Hint:" label and surrounding quotes are stripped; continuation lines are
 * joined to their item; preamble and closing remarks (lines outside a numbered or bulleted list,
 * once the answer has one) are dropped.
 */
import { stripThinking } from '../parse/stripThinking';

const MARKER = /^\s*(?:[-*\u2022\u00b7]+|\(?\d{1,2}\s*[.):]|\(?[a-z]\)|#{1,6})\s*/i;

export interface SplitResult {
  /** Cleaned hint texts in answer order; may contain "" for items that held nothing. */
  hints: string[];
  /** The answer used a list; when false, every non-empty line was taken as a hint. */
  listed: boolean;
}

export function cleanHint(raw: string): string {
  let t = raw.replace(MARKER, '');
  t = t.replace(/\*\*|__|`/g, '');
  t = t.replace(/^\s*(?:hint\s*\d*\s*[:.-])\s*/i, '');
  t = t.trim();
  // Surrounding quotes, possibly several layers ("'...'").
  for (let i = 0; i < 3; i++) {
    const m = /^["'\u201c\u2018](.*)["'\u201d\u2019]$/s.exec(t);
    if (!m) break;
    t = m[1]!.trim();
  }
  return t.replace(/\s+/g, ' ').trim();
}

export function splitHints(answer: string): SplitResult {
  const lines = stripThinking(answer).split(/\r?\n/);
  const listed = lines.some((l) => MARKER.test(l) && !/^\s*#/.test(l));
  if (!listed) {
    return { hints: lines.map(cleanHint).filter((t) => t && !isPreamble(t)), listed: false };
  }
  const items: string[] = [];
  let open = false;
  for (const line of lines) {
    if (!line.trim()) {
      open = false;
      continue;
    }
    if (/^\s*#/.test(line)) {
      open = false; // a markdown heading, not a hint
      continue;
    }
    if (MARKER.test(line)) {
      items.push(line);
      open = true;
    } else if (open) {
      items[items.length - 1] += ' ' + line.trim(); // wrapped continuation of the item
    }
    // else: preamble or closing prose outside the list
  }
  return { hints: items.map(cleanHint).filter((t) => !(t && isPreamble(t))), listed: true };
}

/** "Here are some hints:" and the like. */
function isPreamble(t: string): boolean {
  return /:\s*$/.test(t) && t.split(/\s+/).length <= 12;
}
