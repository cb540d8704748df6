/**
 * Turns an LLM's ranked answer into candidate ranks (method.md, "Output parsing").
 *
 * Each list line (see listItems.ts) is mapped to at most one candidate, trying in turn:
 *  1. exact: the line's title text equals a candidate title;
 *  2. normalised: equal after `normaliseTitle` (case, punctuation, entities, articles, year);
 *  3. fuzzy: the best normalised edit similarity `1 - lev(a, b) / max(|a|, |b|)`, if at least
 *     the threshold.
 * `mode` says how far down this list to go. A line's "title text" is tried in several views,
 * longest first: the line without markdown, a leading quoted or bold title, and the line cut at
 * each separator that usually starts a reason (` - `, `: `, ` (`, `, `), so `1. Heat - a tense
 * thriller` finds `Heat` while `Paris, Texas` still matches whole. Steps 1 and 2 are tried view
 * by view (a longer view that matches after normalising beats a shorter one matching exactly);
 * fuzzy runs only when no view matches, and takes the best pair over all views.
 *
 * Mode `exact` is the authors' scoring, reproduced on purpose: a line counts only when its text,
 * after stripping a leading `N. ` and whitespace, equals the title character for character.
 *
 * The target's rank is the position of the first line that matches it among the list lines
 * (hallucinated and duplicate lines keep their place, as in the authors' count), and only
 * within the top K. Titles shared by several candidates are shown disambiguated (data/titles.ts:
 * "Scarface (1983) [2]"), and such a label matches its one candidate. A line that names only
 * the shared bare title is resolved by position: the first of those candidates, in candidate
 * list order, not listed yet (never "the target if it is one of them", which would score a
 * guess as a hit). Mode `exact` keeps the authors' rule: a line equal to the target's title
 * counts for the target.
 */
import { distance } from 'fastest-levenshtein';
import { normaliseTitle } from './normaliseTitle';
import { extractListItems, type ListItem } from './listItems';

export { normaliseTitle } from './normaliseTitle';

export type MatchMode = 'exact' | 'normalised' | 'fuzzy';

export interface ParsedAnswer {
  /** Candidate ids in answer order, first occurrence only. */
  ranking: string[];
  /** 1-based rank of the FIRST line matching the target, within topK, else null. */
  targetRank: number | null;
  /** List lines seen. */
  lines: number;
  /** Lines that matched a candidate (duplicates included): lines = matched + hallucinated. */
  matched: number;
  /** Lines matching no candidate. */
  hallucinated: number;
  /** Lines matching an already-listed candidate (a subset of `matched`). */
  duplicates: number;
  /** No list found at all. */
  unparsable: boolean;
}

export interface ParseOptions {
  mode: MatchMode;
  /** Minimum similarity (0-1) for a fuzzy match. */
  fuzzyThreshold: number;
  topK: number;
}

export interface Candidate {
  id: string;
  /** The title as the prompt shows it (a disambiguated label when others share the title). */
  title: string;
  /** The item's own title when it differs from `title`: an answer may drop the label's suffix. */
  plainTitle?: string;
}

export function parseRankedAnswer(answer: string, candidates: Candidate[], targetId: string, opts: ParseOptions): ParsedAnswer {
  const items = extractListItems(answer);
  if (!items) return { ranking: [], targetRank: null, lines: 0, matched: 0, hallucinated: 0, duplicates: 0, unparsable: true };
  const index = indexCandidates(candidates, targetId, opts.mode === 'exact');
  const ranking: string[] = [];
  const listed = new Set<string>();
  let targetRank: number | null = null;
  let matched = 0;
  let duplicates = 0;
  items.forEach((item, i) => {
    const ids = matchLine(item, index, opts);
    if (!ids) return;
    matched++;
    const id = ids.find((c) => !listed.has(c));
    if (id === undefined) {
      duplicates++;
      return;
    }
    listed.add(id);
    ranking.push(id);
    if (id === targetId && targetRank === null && i + 1 <= opts.topK) targetRank = i + 1;
  });
  return { ranking, targetRank, lines: items.length, matched, hallucinated: items.length - matched, duplicates, unparsable: false };
}

interface CandidateIndex {
  /** Exact title -> ids with that title (target first). */
  byTitle: Map<string, string[]>;
  /** Normalised title -> ids (target first). */
  byNorm: Map<string, string[]>;
}

function indexCandidates(candidates: Candidate[], targetId: string, exact: boolean): CandidateIndex {
  const byTitle = new Map<string, string[]>();
  const byNorm = new Map<string, string[]>();
  if (exact) {
    // The authors' scoring: the target first among candidates sharing its title.
    const ordered = [...candidates.filter((c) => c.id === targetId), ...candidates.filter((c) => c.id !== targetId)];
    for (const c of ordered) push(byTitle, c.title, c.id);
    // Their prompts showed bare titles: a line equal to one counts as in their scoring.
    for (const c of ordered) if (c.plainTitle !== undefined) push(byTitle, c.plainTitle, c.id);
    return { byTitle, byNorm };
  }
  // Labels first, each naming one candidate; then bare titles, naming all candidates that share
  // one, in list order (position decides, not which id is the target).
  for (const c of candidates) {
    push(byTitle, c.title, c.id);
    const norm = memoNormalise(c.title);
    if (norm) push(byNorm, norm, c.id);
  }
  for (const c of candidates) {
    if (c.plainTitle === undefined || c.plainTitle === c.title) continue;
    push(byTitle, c.plainTitle, c.id);
    const norm = memoNormalise(c.plainTitle);
    if (norm) push(byNorm, norm, c.id);
  }
  return { byTitle, byNorm };
}

/**
 * Candidate titles and answer lines recur across calls (every PPO step re-parses a cached
 * answer), so normalised forms are memoised; the memo is dropped when it grows past the limit.
 */
const normMemo = new Map<string, string>();
const NORM_MEMO_LIMIT = 200_000;

function memoNormalise(title: string): string {
  let n = normMemo.get(title);
  if (n === undefined) {
    if (normMemo.size >= NORM_MEMO_LIMIT) normMemo.clear();
    n = normaliseTitle(title);
    normMemo.set(title, n);
  }
  return n;
}

function push(map: Map<string, string[]>, key: string, id: string): void {
  const ids = map.get(key);
  if (ids) {
    if (!ids.includes(id)) ids.push(id);
  } else map.set(key, [id]);
}

/** The ids of the candidate title one list line names, or null (a hallucination). */
function matchLine(item: ListItem, index: CandidateIndex, opts: ParseOptions): string[] | null {
  if (opts.mode === 'exact') return index.byTitle.get(authorsLineText(item.raw)) ?? null;
  // Longest view first, so "Star Wars: the Clone Wars" is not read as the candidate "Star Wars".
  const views = titleViews(item.body);
  for (const v of views) {
    const ids = index.byTitle.get(v) ?? index.byNorm.get(memoNormalise(v));
    if (ids) return ids;
  }
  if (opts.mode !== 'fuzzy') return null;
  return bestFuzzy(views.map(memoNormalise).filter((n) => n.length > 0), index, opts.fuzzyThreshold);
}

/** The authors' reading of a line: strip the `N. ` numbering and surrounding whitespace. */
function authorsLineText(raw: string): string {
  return raw.replace(/^\s*\d+\.\s*/, '').trim();
}

const REASON_SEPARATOR = /\s+[-–—|]\s+|\s*:\s+|\s+\(|,\s+/g;

/** The ways a line body may hold a title, longest first (see the file comment). */
function titleViews(body: string): string[] {
  const plain = body.replace(/\*\*|__/g, '').trim();
  const views = [plain];
  const wrapped = /^\*\*(.+?)\*\*/.exec(body) ?? /^[*_](.+?)[*_](?=\s|$|[-–—:,(])/.exec(body) ?? /^["“«](.+?)["”»]/.exec(plain) ?? /^'(.+?)'(?=\s|$|[-–—:,(.])/.exec(plain);
  if (wrapped) views.push(wrapped[1]!.trim());
  const cuts = [...plain.matchAll(REASON_SEPARATOR)].map((m) => plain.slice(0, m.index).trim());
  views.push(...cuts.reverse());
  return [...new Set(views.filter((v) => v.length > 0))];
}

/** Normalised edit similarity in [0, 1]: 1 - lev(a, b) / max(|a|, |b|). */
function similarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - distance(a, b) / longest;
}

/** Numbers and roman numerals in a normalised title: "rocky iv" -> ["iv"], "ocean s 11" -> ["11"]. */
function numberTokens(norm: string): string {
  return norm.split(' ').filter((t) => /^\d+$/.test(t) || /^(ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii)$/.test(t)).join(' ');
}

/**
 * The closest candidate by edit similarity. Titles that differ in a number are never matched
 * fuzzily: in movie data "Rocky IV" and "Rocky II", or "Part III" and "Part II", are one edit
 * apart yet different items, and reading one as the other would inflate hit rates.
 */
function bestFuzzy(norms: string[], index: CandidateIndex, threshold: number): string[] | null {
  let best: string[] | null = null;
  let bestSim = -1;
  for (const n of norms) {
    const numbers = numberTokens(n);
    for (const [title, ids] of index.byNorm) {
      if (numberTokens(title) !== numbers) continue;
      const sim = similarity(n, title);
      if (sim > bestSim) {
        bestSim = sim;
        best = ids;
      }
    }
  }
  return bestSim >= threshold ? best : null;
}
