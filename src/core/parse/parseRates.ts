/**
 * Parse-quality rates over many answers: what researchers need to judge whether a metric moved
 * because the model ranked better or because it stopped following the format.
 */
import type { ParsedAnswer } from './rankedAnswer';

export interface ParseCounts {
  answers: number;
  /** List lines over all answers. */
  lines: number;
  matched: number;
  hallucinated: number;
  duplicates: number;
  /** Answers with no list at all. */
  unparsable: number;
  /** Answers with at least one line matching no candidate. */
  withHallucination: number;
}

export interface ParseRates {
  /** Hallucinated lines / list lines. */
  hallucinatedLines: number;
  /** Duplicate lines / list lines. */
  duplicateLines: number;
  /** Unparsable answers / answers. */
  unparsable: number;
  /** Answers with a hallucinated line / answers. */
  withHallucination: number;
}

export function countParsed(parsed: ParsedAnswer[]): ParseCounts {
  const c: ParseCounts = { answers: parsed.length, lines: 0, matched: 0, hallucinated: 0, duplicates: 0, unparsable: 0, withHallucination: 0 };
  for (const p of parsed) {
    c.lines += p.lines;
    c.matched += p.matched;
    c.hallucinated += p.hallucinated;
    c.duplicates += p.duplicates;
    if (p.unparsable) c.unparsable++;
    if (p.hallucinated > 0) c.withHallucination++;
  }
  return c;
}

/** Shares in [0, 1]; 0 (not NaN) when there is nothing to divide by. */
export function parseRates(c: ParseCounts): ParseRates {
  const share = (x: number, of: number): number => (of > 0 ? x / of : 0);
  return {
    hallucinatedLines: share(c.hallucinated, c.lines),
    duplicateLines: share(c.duplicates, c.lines),
    unparsable: share(c.unparsable, c.answers),
    withHallucination: share(c.withHallucination, c.answers),
  };
}
