/**
 * Text comparisons for hints: normalised equality, token Jaccard for near-duplicates, and
 * "does this hint name that title" for leakage. One normaliser for all of them, so a hint and a
 * title are compared in the same form.
 */
import he from 'he';

const ARTICLES = new Set(['the', 'a', 'an']);

/**
 * Lower case, HTML entities decoded, accents folded, apostrophes dropped, "&" read as "and",
 * every other run of non-alphanumerics collapsed to one space:
 * "Don&rsquo;t  Look-Back & Go!" -> "dont look back and go".
 */
export function normaliseText(s: string): string {
  return he
    .decode(s)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[\u2018\u2019\u02bc`']/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Normalised words of a text. */
function words(s: string): string[] {
  const n = normaliseText(s);
  return n ? n.split(' ') : [];
}

/**
 * Words too common to make two hints alike; dropped before the Jaccard comparison so that
 * "Favour films from the same decade" and "Favour films of the same era" are judged by
 * "decade"/"era", not by "the".
 */
const STOPWORDS = new Set(
  ('a an the and or of to in on for with from by as at is are be that this these those it its ' +
    'if than then their them they user users s').split(' '),
);

export function contentTokens(s: string): Set<string> {
  return new Set(words(s).filter((w) => !STOPWORDS.has(w)));
}

/** |A ∩ B| / |A ∪ B|; 1 for two empty sets (two empty hints are the same hint). */
export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const t of a) if (b.has(t)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Threshold from issue 3: token Jaccard at or above this makes two hints near-duplicates. */
export const NEAR_DUPLICATE_JACCARD = 0.8;

/**
 * A title as it would be written inside a sentence: normalised, a trailing ", The" style article
 * and a trailing "(1999)" year removed, articles dropped. "Matrix, The (1999)" -> "matrix".
 */
export function titleKey(title: string): string {
  let t = he.decode(title).trim();
  t = t.replace(/\s*\((?:\d{4}|[ivx]+)\)\s*$/i, '');
  t = t.replace(/,\s*(the|a|an)\s*$/i, '');
  return words(t)
    .filter((w) => !ARTICLES.has(w))
    .join(' ');
}

/** True when `needle` (already a titleKey) occurs in `haystackKey` on word boundaries. */
export function containsKey(haystackKey: string, needle: string): boolean {
  if (!needle) return false;
  return ` ${haystackKey} `.includes(` ${needle} `);
}

/** A hint text in the same form as titleKey, for containment checks. */
export function hintKey(text: string): string {
  return words(text)
    .filter((w) => !ARTICLES.has(w))
    .join(' ');
}
