/**
 * The normalised form of a title, used to match an LLM's answer line to a candidate when the
 * exact text differs only in presentation. Two titles are "the same" when their normalised forms
 * are equal. Steps, in order (each one fixes a difference seen in real answers or real data):
 *  1. HTML entities decoded (`&amp;` -> `&`; catalogue titles in some datasets keep them);
 *  2. Unicode compatibility form, accents dropped (`rivières` = `rivieres`), lower case;
 *  3. a trailing year in brackets dropped (`Heat (1995)` = `Heat`);
 *  4. a trailing article moved away (`Addams Family, The` = `The Addams Family`);
 *  5. `&` read as `and`; apostrophes and full stops deleted (`L.A.` = `LA`, `Charlotte's` =
 *     `Charlottes`); every other run of punctuation becomes one space;
 *  6. a leading article (`the`, `a`, `an`) dropped, unless nothing else is left;
 *  7. whitespace collapsed and trimmed.
 */
import { decode } from 'he';

const TRAILING_YEAR = /\s*[([]\s*\d{4}\s*[)\]]\s*$/;
const TRAILING_ARTICLE = /,\s*(the|a|an)\s*$/;
const LEADING_ARTICLE = /^(the|a|an) (?=\S)/;

export function normaliseTitle(s: string): string {
  let t = decode(s).normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  t = t.replace(TRAILING_YEAR, '').trim();
  t = t.replace(TRAILING_ARTICLE, '');
  t = t
    .replace(/&/g, ' and ')
    .replace(/['’‘`´.]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return t.replace(LEADING_ARTICLE, '').trim();
}
