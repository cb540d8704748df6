/**
 * Reads a rank prompt back into item ids, as the simulated LLM (and the reflection helper's
 * responders) must: the default template (config/defaults.ts DEFAULT_RANK_TEMPLATE, built by
 * prompts/rank.ts) lists the history as "- Title" lines, a blank line, some text, the candidates
 * as "- Title" lines, then an optional "Hint: ..." line and the request for the "top N".
 *
 * Rule: the first block of "- " lines is the history, the last block is the candidates (a prompt
 * with a single block has no history). Titles map to ids through an index over the dataset's
 * item titles and prompt labels (a label names one of the items that share a title); a bare
 * shared title maps to the first such item in the dataset, consistently.
 */
import type { SessionDataset } from '../data/types';

export interface RankPromptReading {
  /** History item ids in prompt order (titles that are not in the dataset are skipped). */
  history: string[];
  /** Candidate ids in prompt order (unknown titles skipped; see `unknownCandidates`). */
  candidates: string[];
  /** The text after "Hint:", trimmed, when the prompt has a hint line. */
  hint?: string;
  /** K from "top K" (10 when the prompt does not say). */
  topK: number;
  /** Candidate lines whose title is not an item of the dataset. */
  unknownCandidates: string[];
}

const indexes = new WeakMap<SessionDataset, { exact: Map<string, string>; loose: Map<string, string> }>();

function loose(title: string): string {
  return title.toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Title -> id, built once per dataset: the prompt labels of items that share a title first
 * (prompt.disambiguateTitles: each names one item), then titles (first item wins on duplicates).
 */
export function titleIndex(dataset: SessionDataset): { exact: Map<string, string>; loose: Map<string, string> } {
  let idx = indexes.get(dataset);
  if (!idx) {
    idx = { exact: new Map(), loose: new Map() };
    for (const [id, label] of dataset.promptTitles ?? []) {
      idx.exact.set(label, id);
      idx.loose.set(loose(label), id);
    }
    for (const item of dataset.items.values()) {
      if (!idx.exact.has(item.title)) idx.exact.set(item.title, item.id);
      const l = loose(item.title);
      if (!idx.loose.has(l)) idx.loose.set(l, item.id);
    }
    indexes.set(dataset, idx);
  }
  return idx;
}

export function idOfTitle(dataset: SessionDataset, title: string): string | undefined {
  const idx = titleIndex(dataset);
  return idx.exact.get(title) ?? idx.loose.get(loose(title));
}

/** Groups of consecutive "- Title" lines, in order. */
function listBlocks(lines: string[]): string[][] {
  const blocks: string[][] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    const m = /^\s*-\s+(.*\S)\s*$/.exec(line);
    if (m) {
      if (!current) blocks.push((current = []));
      current.push(m[1]!);
    } else current = undefined;
  }
  return blocks;
}

export function readRankPrompt(text: string, dataset: SessionDataset): RankPromptReading {
  const lines = text.split(/\r?\n/);
  const blocks = listBlocks(lines);
  const historyTitles = blocks.length >= 2 ? blocks[0]! : [];
  const candidateTitles = blocks.length >= 1 ? blocks[blocks.length - 1]! : [];
  const history: string[] = [];
  for (const t of historyTitles) {
    const id = idOfTitle(dataset, t);
    if (id !== undefined) history.push(id);
  }
  const candidates: string[] = [];
  const unknownCandidates: string[] = [];
  for (const t of candidateTitles) {
    const id = idOfTitle(dataset, t);
    if (id !== undefined) candidates.push(id);
    else unknownCandidates.push(t);
  }
  let hint: string | undefined;
  for (const line of lines) {
    const m = /^\s*Hint:\s*(.*?)\s*$/i.exec(line);
    if (m && m[1]) hint = m[1];
  }
  const k = /\btop\s+(\d+)\b/i.exec(text);
  const topK = k ? Math.max(1, Number(k[1])) : 10;
  return { history, candidates, ...(hint ? { hint } : {}), topK, unknownCandidates };
}

/** True when the text looks like a rank prompt (at least one list and a request for the top K). */
export function looksLikeRankPrompt(text: string): boolean {
  return /\btop\s+\d+\b/i.test(text) && listBlocks(text.split(/\r?\n/)).length >= 1;
}
