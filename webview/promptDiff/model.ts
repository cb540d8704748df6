/**
 * The prompt-diff panel's view model (no DOM): a word-level diff of two texts (jsdiff's
 * diffWordsWithSpace, which keeps newlines and spaces as tokens so preformatted prompts keep
 * their shape) split into what each side shows, and long unchanged stretches folded.
 */
import { diffWordsWithSpace } from 'diff';

const words = (t: string) => t.split(/\s+/).filter(Boolean).length;

type SegKind = 'same' | 'removed' | 'added';
export interface Seg {
  text: string;
  kind: SegKind;
}

/** The left side shows common and removed text, the right side common and added text; `changed` counts words removed plus added. */
export function sideBySide(left: string, right: string): { left: Seg[]; right: Seg[]; changed: number } {
  const l: Seg[] = [];
  const r: Seg[] = [];
  let changed = 0;
  for (const c of diffWordsWithSpace(left, right)) {
    if (c.added) {
      r.push({ text: c.value, kind: 'added' });
      changed += words(c.value);
    } else if (c.removed) {
      l.push({ text: c.value, kind: 'removed' });
      changed += words(c.value);
    } else {
      l.push({ text: c.value, kind: 'same' });
      r.push({ text: c.value, kind: 'same' });
    }
  }
  return { left: l, right: r, changed };
}

/** A run of unchanged lines longer than `keep * 2 + fold` lines becomes head, folded middle, tail. */
export function foldSame(text: string, keep = 3, fold = 4): { head: string; folded?: string; tail?: string; lines?: number } {
  const lines = text.split('\n');
  if (lines.length <= keep * 2 + fold) return { head: text };
  const head = lines.slice(0, keep).join('\n') + '\n';
  const folded = lines.slice(keep, lines.length - keep).join('\n') + '\n';
  const tail = lines.slice(lines.length - keep).join('\n');
  return { head, folded, tail, lines: lines.length - keep * 2 };
}

/** "#3 of 10" / "not in the top 10": where the target landed. */
export function rankText(rank: number | null, k: number): string {
  return rank === null ? `not in the top ${k}` : `#${rank} of ${k}`;
}
