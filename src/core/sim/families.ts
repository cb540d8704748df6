/**
 * Attribute families as the simulated LLM sees a dataset. Every attribute key of the items is a
 * family ("genres", "directors", "countries", ...); a year-like family is bucketed into decades
 * ("era") so that 1994 and 1997 count as alike; a dataset whose items have titles only gets one
 * family made of title words. Each family carries the words a hint would use to name it.
 */
import type { SessionDataset } from '../data/types';

type FamilyKind = 'era' | 'values' | 'title';

export interface Family {
  name: string;
  kind: FamilyKind;
  /** Lower-case words or phrases that name this family in a hint. */
  keywords: string[];
}

export interface DatasetProfile {
  families: Family[];
  /** item id -> per family (same order as `families`) the item's values. */
  values: Map<string, string[][]>;
  /** Per family: value -> share of the dataset's items (with any value in the family) that have it. */
  baseRates: Map<string, number>[];
}

/** Synonyms by family-name pattern. Order matters: the first matching pattern applies. */
const KEYWORDS: [RegExp, string[]][] = [
  [/genre|class|categor|tag|style/, ['genre', 'genres', 'style', 'styles', 'category', 'categories', 'kind of', 'type of', 'theme', 'themes', 'mood', 'tone']],
  [/year|date|era|decade|release/, ['era', 'year', 'years', 'decade', 'decades', 'release', 'released', 'period', 'older', 'classic', 'classics', 'recent', 'modern', 'vintage', 'contemporary', 'time period']],
  [/director|creator|author|developer|publisher|studio/, ['director', 'directors', 'directed', 'filmmaker', 'filmmakers', 'auteur', 'creator', 'creators', 'made by']],
  [/countr|nation|language|region|origin/, ['country', 'countries', 'culture', 'cultural', 'nation', 'national', 'foreign', 'international', 'region', 'regional', 'language', 'origin']],
  [/actor|cast|star|performer/, ['actor', 'actors', 'actress', 'cast', 'star', 'stars', 'starring']],
  [/title|word|name/, ['title', 'titles', 'series', 'sequel', 'sequels', 'franchise', 'saga', 'word', 'words', 'name']],
];

function keywordsFor(name: string): string[] {
  const lower = name.toLowerCase();
  const out = new Set<string>([lower, lower.replace(/_/g, ' ')]);
  if (lower.endsWith('ies')) out.add(lower.slice(0, -3) + 'y');
  else if (lower.endsWith('s')) out.add(lower.slice(0, -1));
  for (const [re, words] of KEYWORDS) {
    if (re.test(lower)) {
      for (const w of words) out.add(w);
      break;
    }
  }
  return [...out].filter((w) => w.length >= 2);
}

const STOPWORDS = new Set(['the', 'and', 'of', 'a', 'an', 'in', 'on', 'to', 'for', 'with', 'from', 'at', 'by', 'or', 'is', 'la', 'le', 'les', 'el', 'de', 'der', 'die', 'das', 'und', 'part', 'ii', 'iii']);

/** Title words: lower case, letters/digits only, no stop words, no bare years in parentheses. */
export function titleWords(title: string): string[] {
  const words = title.toLowerCase().replace(/\(\d{4}\)/g, ' ').split(/[^\p{L}\p{N}]+/u);
  return [...new Set(words.filter((w) => w.length >= 3 && !STOPWORDS.has(w)))];
}

/** "1994" -> "1990s"; undefined when the value is not a plausible year. */
export function decadeOf(value: string): string | undefined {
  const m = /^(\d{4})/.exec(value.trim());
  if (!m) return undefined;
  const y = Number(m[1]);
  if (y < 1000 || y > 2999) return undefined;
  return `${Math.floor(y / 10) * 10}s`;
}

function isYearFamily(name: string, dataset: SessionDataset): boolean {
  if (!/year|date|era|decade|release/i.test(name)) return false;
  let seen = 0;
  let years = 0;
  for (const item of dataset.items.values()) {
    const vs = item.attributes[name];
    if (!vs?.length) continue;
    seen++;
    if (decadeOf(vs[0]!)) years++;
    if (seen >= 200) break;
  }
  return seen > 0 && years / seen > 0.8;
}

const profiles = new WeakMap<SessionDataset, DatasetProfile>();

export function profileOf(dataset: SessionDataset): DatasetProfile {
  const cached = profiles.get(dataset);
  if (cached) return cached;
  const names = new Set<string>();
  for (const item of dataset.items.values()) for (const [k, v] of Object.entries(item.attributes)) if (v.length) names.add(k);
  const families: Family[] = [];
  for (const name of [...names].sort()) {
    const kind: FamilyKind = isYearFamily(name, dataset) ? 'era' : 'values';
    families.push({ name, kind, keywords: keywordsFor(name) });
  }
  if (families.length === 0) families.push({ name: 'title', kind: 'title', keywords: keywordsFor('title') });

  const values = new Map<string, string[][]>();
  const mass = families.map(() => new Map<string, number>());
  const withAny = families.map(() => 0);
  for (const item of dataset.items.values()) {
    const per = families.map((f, fi) => {
      let vs: string[];
      if (f.kind === 'title') vs = titleWords(item.title);
      else if (f.kind === 'era') vs = [...new Set((item.attributes[f.name] ?? []).map(decadeOf).filter((d): d is string => !!d))];
      else vs = [...new Set(item.attributes[f.name] ?? [])];
      for (const v of vs) mass[fi]!.set(v, (mass[fi]!.get(v) ?? 0) + 1);
      if (vs.length) withAny[fi]!++;
      return vs;
    });
    values.set(item.id, per);
  }
  const baseRates = mass.map((m, fi) => {
    const total = withAny[fi]!;
    const out = new Map<string, number>();
    for (const [v, x] of m) out.set(v, total > 0 ? x / total : 0);
    return out;
  });
  const profile = { families, values, baseRates };
  profiles.set(dataset, profile);
  return profile;
}

/** Whole-word, case-insensitive containment of a phrase in a text. */
export function mentions(text: string, phrase: string): boolean {
  return mentionsLower(text.toLowerCase(), phrase.toLowerCase());
}

const WORD_END = /[\p{L}\p{N}]$/u;
const WORD_START = /^[\p{L}\p{N}]/u;

/**
 * mentions() over texts already lowercased: the simulator asks it for every history value of
 * every hint it reads, so it scans with indexOf instead of building a regex per phrase.
 */
export function mentionsLower(text: string, phrase: string): boolean {
  if (!phrase) return /(^|[^\p{L}\p{N}])($|[^\p{L}\p{N}])/u.test(text);
  for (let i = text.indexOf(phrase); i >= 0; i = text.indexOf(phrase, i + 1)) {
    const end = i + phrase.length;
    // Two code units either side: a letter outside the BMP is a surrogate pair.
    if (!WORD_END.test(text.slice(Math.max(0, i - 2), i)) && !WORD_START.test(text.slice(end, end + 2))) return true;
  }
  return false;
}
