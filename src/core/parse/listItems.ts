/**
 * Finds the ranked list in an LLM answer. The rank prompt asks for a numbered list, one title
 * per line; models also answer with `1) X`, `**1. X**`, `- X` bullets, an intro sentence, or
 * reasons under each item. Rules:
 *  - numbered lines (`1. X`, `1) X`, `(1) X`, optionally behind markdown `**`, `#`, `>`) are the
 *    list when there is at least one; bullets then are sub-points and are ignored;
 *  - otherwise bullet lines (`- X`, `* X`, `• X`) are the list;
 *  - a single line holding a run of numbers `1. A 2. B` (or `1. A; 2. B`) is split there;
 *  - anything else (prose, `A; B; C`, `A, B, C` on one line) is not a list: `null`.
 * A reasoning model's `<think>...</think>` part is dropped first (stripThinking.ts).
 */
import { stripThinking } from './stripThinking';

export interface ListItem {
  /** The line as written, trimmed (what the authors' exact scoring reads). */
  raw: string;
  /** The text after the list marker, trimmed. */
  body: string;
}

const NUMBERED = /^(?:[*_#>]+\s*)*\(?(\d{1,3})[.)](?!\d)\s*(.*)$/;
const BULLET = /^[-*•+–]\s+(.*)$/;
/** A list number inside one line: at the start or after whitespace, `;` or `,`. */
const INLINE_MARKER = /(?:^|[\s;,])(\(?(\d{1,2})[.)]\s+)/g;

export function extractListItems(answer: string): ListItem[] | null {
  const lines = stripThinking(answer)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const numbered = numberedItems(lines);
  if (numbered.length > 1) return numbered;
  for (const line of lines) {
    const inline = inlineItems(line);
    if (inline) return inline;
  }
  if (numbered.length === 1) return numbered;
  const bullets = bulletItems(lines);
  return bullets.length > 0 ? bullets : null;
}

function numberedItems(lines: string[]): ListItem[] {
  const items: ListItem[] = [];
  for (const raw of lines) {
    const m = NUMBERED.exec(raw);
    if (m) items.push({ raw, body: m[2]!.trim() });
  }
  return items;
}

function bulletItems(lines: string[]): ListItem[] {
  const items: ListItem[] = [];
  for (const raw of lines) {
    const m = BULLET.exec(raw);
    if (m) items.push({ raw, body: m[1]!.trim() });
  }
  return items;
}

/** Splits `1. A 2. B; 3. C` when the numbers run 1, 2, 3, ... (at least two of them). */
function inlineItems(line: string): ListItem[] | null {
  const markers: { index: number; end: number }[] = [];
  for (const m of line.matchAll(INLINE_MARKER)) {
    if (Number(m[2]) !== markers.length + 1) continue;
    const end = m.index + m[0].length;
    markers.push({ index: end - m[1]!.length, end });
  }
  if (markers.length < 2) return null;
  return markers.map((mk, i) => {
    const next = i + 1 < markers.length ? markers[i + 1]!.index : line.length;
    const raw = line.slice(mk.index, next).trim().replace(/[;,]$/, '').trim();
    return { raw, body: line.slice(mk.end, next).trim().replace(/[;,]$/, '').trim() };
  });
}
