/**
 * Finds item titles named inside a hint. Used by `kb validate` (every title of the dataset) and by
 * reflection's leakage check (the session's target and candidates).
 *
 * Dataset-wide, titles of two words or more count anywhere: two-word titles made only of common
 * words ("Other Side", "True Story") are skipped. A one-word title ("Heat", "Gladiator") is an
 * ordinary word in most sentences, so it counts only where the hint writes it as a name: with a
 * capital letter, not at the start of a sentence, and not a common or genre word
 * ("Rank Gladiator first" names it; "turn up the heat" and "Heat matters" do not).
 */
import { containsKey, hintKey, titleKey } from './text';

/** Words so common that a title made only of them is not evidence of a leak. */
const COMMON = new Set(
  (
    'a an the and or of to in on for with from by as at is are be it its if not no me my you your we us our he she his her ' +
    'they them their this that these those all any some one two first last new old big little good bad best more most ' +
    'out up down off over under into about after before again time day night life love man men woman women world way home ' +
    'story stories other side true real man men people film films movie movies style genre genres era decade years year ' +
    'family friends high low long short back go get make made'
  ).split(' '),
);

/** Genre and form words hints capitalise as categories ("Prefer Drama"), not as titles. */
const CATEGORY_WORDS = new Set(
  'action adventure animation animated children comedy comedies crime documentary documentaries drama dramas fantasy noir horror musical musicals mystery romance romantic scifi thriller thrillers war western westerns imax classic classics indie'.split(' '),
);

export interface TitleMatch {
  itemId: string;
  title: string;
}

export interface TitleIndexOptions {
  /** Minimum words in a title's key (after article removal) for it to count. Default 2. */
  minWords?: number;
  /** Minimum characters of the key. Default 4. */
  minChars?: number;
  /** With minWords > 1: also find one-word titles where the text writes them as a name. Default false. */
  capitalisedSingles?: boolean;
}

export class TitleIndex {
  /** First word of a key -> (key, item) pairs starting with it. */
  private readonly byFirstWord = new Map<string, { key: string; itemId: string; title: string }[]>();
  /** One-word title key -> items, found only when capitalised mid-sentence (capitalisedSingles). */
  private readonly singles = new Map<string, { key: string; itemId: string; title: string }[]>();

  constructor(items: Iterable<{ id: string; title: string }>, opts: TitleIndexOptions = {}) {
    const minWords = opts.minWords ?? 2;
    const minChars = opts.minChars ?? 4;
    for (const item of items) {
      const key = titleKey(item.title);
      if (opts.capitalisedSingles && minWords > 1 && isDistinctiveSingle(key, minChars)) {
        let list = this.singles.get(key);
        if (!list) this.singles.set(key, (list = []));
        list.push({ key, itemId: item.id, title: item.title });
        continue;
      }
      if (!isDistinctive(key, minWords, minChars)) continue;
      const first = key.split(' ')[0]!;
      let list = this.byFirstWord.get(first);
      if (!list) this.byFirstWord.set(first, (list = []));
      list.push({ key, itemId: item.id, title: item.title });
    }
  }

  /** Titles named in `text`, longest first, one entry per item. */
  find(text: string): TitleMatch[] {
    const key = hintKey(text);
    if (!key) return [];
    const seen = new Set<string>();
    const out: { key: string; itemId: string; title: string }[] = [];
    for (const w of new Set(key.split(' '))) {
      for (const entry of this.byFirstWord.get(w) ?? []) {
        if (!seen.has(entry.itemId) && containsKey(key, entry.key)) {
          seen.add(entry.itemId);
          out.push(entry);
        }
      }
    }
    if (this.singles.size) {
      for (const w of namesInText(text)) {
        for (const entry of this.singles.get(titleKey(w)) ?? []) {
          if (seen.has(entry.itemId)) continue;
          seen.add(entry.itemId);
          out.push(entry);
        }
      }
    }
    return out.sort((a, b) => b.key.length - a.key.length).map(({ itemId, title }) => ({ itemId, title }));
  }
}

function isDistinctiveSingle(key: string, minChars: number): boolean {
  return key.length >= minChars && !key.includes(' ') && !COMMON.has(key) && !CATEGORY_WORDS.has(key) && !/^\d+$/.test(key);
}

/** Words written with a capital letter that do not start a sentence (or the text): names. */
function namesInText(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}'\u2019-]*/gu)) {
    const w = m[0];
    if (!/^\p{Lu}/u.test(w)) continue;
    const before = text.slice(0, m.index).trimEnd();
    if (before === '' || /[.!?:;\n"\u201c(\[]$/u.test(before)) continue;
    out.push(w);
  }
  return out;
}

function isDistinctive(key: string, minWords: number, minChars: number): boolean {
  if (key.length < minChars) return false;
  const ws = key.split(' ');
  if (ws.length < minWords) return false;
  if (ws.length === 1) return true;
  return ws.some((w) => !COMMON.has(w));
}

/** Cache of dataset-wide indexes, keyed by the items map so a reloaded dataset rebuilds. */
const cache = new WeakMap<object, TitleIndex>();

export function datasetTitleIndex(items: Map<string, { id: string; title: string }>): TitleIndex {
  let idx = cache.get(items);
  if (!idx) cache.set(items, (idx = new TitleIndex(items.values(), { capitalisedSingles: true })));
  return idx;
}
