/**
 * The rank prompt (method.md, "Prompts"): the history titles in order, the candidate titles, and a
 * request for the top K as a numbered list drawn from the candidates only. A hint adds one
 * `Hint: <text>` line; action 0 ("no hint") is exactly the base prompt.
 *
 * Unlike the authors' prompt, titles are listed one per line: titles such as "Buffalo Bill and
 * the Indians, or Sitting Bull's History Lesson" or ones containing "; " cannot then be confused
 * with separators.
 */
import type { ChatMessage } from '../llm/types';
import type { Session, SessionDataset } from '../data/types';
import type { Re2llmConfig } from '../config/defaults';
import { promptedHistory } from './history';

export { promptedHistory } from './history';

export interface RankPromptOptions {
  template: string;
  hintTemplate: string;
  historyLimit: number;
  topK: number;
  item: string;
  items: string;
  verb: string;
  verbPresent: string;
  /**
   * prompt.disambiguateTitles. The labels themselves come with the dataset (`promptTitles`, set
   * by loadDataset from the same setting); it is listed here so that every stage key, which
   * hashes these options, changes with it.
   */
  disambiguateTitles: boolean;
}

export function rankPromptOptions(config: Re2llmConfig): RankPromptOptions {
  return {
    template: config.prompt.rankTemplate,
    hintTemplate: config.prompt.hintTemplate,
    historyLimit: config.prompt.historyLimit,
    topK: config.prompt.topK,
    item: config.dataset.itemNoun,
    items: config.dataset.itemNounPlural,
    verb: config.dataset.verbPast,
    verbPresent: config.dataset.verbPresent,
    disambiguateTitles: config.prompt.disambiguateTitles,
  };
}

export interface RankPrompt {
  messages: ChatMessage[];
  /** History items actually shown (the most recent `historyLimit`). */
  shownHistory: string[];
  /** How many older history items were left out. */
  truncated: number;
}

/** How prompts name an item: its title, or its disambiguated label when other items share the title. */
export function titleOf(dataset: Pick<SessionDataset, 'items' | 'promptTitles'>, id: string): string {
  return dataset.promptTitles?.get(id) ?? dataset.items.get(id)?.title ?? `item ${id}`;
}

/**
 * The candidates as the answer parser needs them: in prompt order (the parser resolves a title
 * several candidates share by position), with the label shown and the bare title an answer may
 * use instead.
 */
export function promptCandidates(dataset: Pick<SessionDataset, 'items' | 'promptTitles'>, ids: readonly string[]): Array<{ id: string; title: string; plainTitle: string }> {
  return ids.map((id) => ({ id, title: titleOf(dataset, id), plainTitle: dataset.items.get(id)?.title ?? `item ${id}` }));
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? values[k]! : m));
}

export function buildRankPrompt(dataset: SessionDataset, session: Session, opts: RankPromptOptions, hint?: string): RankPrompt {
  const shownHistory = promptedHistory(session, opts.historyLimit);
  const history = shownHistory.map((id) => `- ${titleOf(dataset, id)}`).join('\n');
  const candidates = session.candidates.map((id) => `- ${titleOf(dataset, id)}`).join('\n');
  const hintLine = hint && hint.trim() ? fill(opts.hintTemplate, { hint: hint.trim() }) : '';
  const content = fill(opts.template, {
    verb: opts.verb,
    verbPresent: opts.verbPresent,
    item: opts.item,
    items: opts.items,
    history,
    candidates,
    topK: String(opts.topK),
    hintLine,
  });
  return {
    messages: [{ role: 'user', content }],
    shownHistory,
    truncated: session.history.length - shownHistory.length,
  };
}
