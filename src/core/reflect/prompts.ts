/**
 * The reflection conversation (method.md, "Prompts") and the non-redundancy question, in our own
 * words. Each prompt carries a fixed phrase (the *_MARKER constants) that the simulated LLM's
 * responders recognise; a real LLM simply reads them as part of the sentence. Changing a marker
 * changes every cache key of reflection: do it only on purpose.
 *
 * No line starts with "- ": the simulator reads such lines as title lists.
 */
import type { ChatMessage, ChatRequest } from '../llm/types';
import type { DomainWords } from '../data/types';
import { stripThinking } from '../parse/stripThinking';

export const REFLECT_TURN1_MARKER = 'None of the titles in your list is the one I';
export const REFLECT_TURN2_MARKER = 'The one I actually chose next was';
export const REFLECT_TURN3_MARKER = 'Now write hints for another AI assistant';
export const REDUNDANCY_MARKER = 'Here is a knowledge base of hints for a recommender';

export interface PromptWords extends DomainWords {
  /** Present-tense verb ("watch"). */
  verbPresent: string;
}

/** Turn 1: after the base prompt and the model's own answer. */
function reflectTurn1(w: PromptWords): string {
  return (
    `${REFLECT_TURN1_MARKER} ${w.verb} next. ` +
    `Look again at my history and at your list, and think about what may have gone wrong: ` +
    `which signals in my history did your ranking over- or under-weight?`
  );
}

/** Turn 2: the target is revealed; ask for an analysis from several aspects. */
function reflectTurn2(w: PromptWords, targetTitle: string): string {
  return (
    `${REFLECT_TURN2_MARKER} "${targetTitle}". ` +
    `Analyse why you missed it, from several aspects: how it relates to the ${w.items} in my history ` +
    `(genre, era, people involved, origin, style or anything else that links them), which patterns in ` +
    `the order of my history point to it, and what misled your ranking.`
  );
}

/** Turn 3: ask for short, general, imperative hints that do not leak the target. */
function reflectTurn3(w: PromptWords, topK: number, targetTitle: string): string {
  return (
    `${REFLECT_TURN3_MARKER} that will rank the same kind of candidate list for other users. ` +
    `Turn your analysis into short imperative hints (one sentence each, one hint per line, numbered) ` +
    `that would help it put the right ${w.item} in its top ${topK}. ` +
    `Each hint must state general knowledge about how to read a ${w.item} history. ` +
    `Do not name "${targetTitle}" or any other title, and do not refer to this particular user.`
  );
}

/**
 * The three-turn conversation up to the given turn. `answers` are the model's replies so far:
 * [base answer, turn-1 reply, turn-2 reply].
 */
export function reflectionMessages(
  basePrompt: ChatMessage[],
  answers: string[],
  w: PromptWords,
  targetTitle: string,
  topK: number,
): ChatMessage[] {
  const turns = [reflectTurn1(w), reflectTurn2(w, targetTitle), reflectTurn3(w, topK, targetTitle)];
  const out: ChatMessage[] = [...basePrompt];
  for (let i = 0; i < answers.length && i < 3; i++) {
    out.push({ role: 'assistant', content: answers[i]! });
    out.push({ role: 'user', content: turns[i]! });
  }
  return out;
}

/** The yes/no non-redundancy question (the paper's check), numbered so the model can say which. */
export function redundancyPrompt(w: PromptWords, kbTexts: string[], hint: string): ChatMessage[] {
  const list = kbTexts.map((t, i) => `${i + 1}. ${t}`).join('\n');
  return [
    {
      role: 'user',
      content:
        `${REDUNDANCY_MARKER} that ranks ${w.items}:\n${list}\n\n` +
        `New hint: "${hint}"\n\n` +
        `Does the new hint convey an idea that is already in the knowledge base? ` +
        `Answer on one line with "no", or with "yes" followed by the number of the hint it repeats (for example "yes 3").`,
    },
  ];
}

/**
 * The non-redundancy question as it is sent: acceptance asks it (checkRedundancy) and reflection
 * asks it ahead of acceptance (runReflection's askBesideChecks), and the answer sent ahead is only
 * found again if both build the very same request.
 */
export function redundancyRequest(w: PromptWords, kbTexts: string[], hint: string): ChatRequest {
  return { messages: redundancyPrompt(w, kbTexts, hint), purpose: 'redundancy' };
}

/** The new hint a redundancyPrompt asks about (undefined for any other conversation). */
export function redundancyHintOf(messages: readonly ChatMessage[]): string | undefined {
  const c = messages.length === 1 ? messages[0]!.content : '';
  if (!c.startsWith(REDUNDANCY_MARKER)) return undefined;
  return /\n\nNew hint: "([\s\S]*)"\n\nDoes the new hint convey an idea/.exec(c)?.[1];
}

export interface RedundancyAnswer {
  redundant: boolean;
  /** 0-based index into the listed hints, when the model named one. */
  index?: number;
  /** The answer did not start with yes or no (counted as redundant: the KB stays clean). */
  unclear: boolean;
}

export function parseRedundancyAnswer(text: string, listed: number): RedundancyAnswer {
  const m = /^[\s"'*_`>(]*(yes|no)\b\W*(\d+)?/i.exec(stripThinking(text));
  if (!m) return { redundant: true, unclear: true };
  if (m[1]!.toLowerCase() === 'no') return { redundant: false, unclear: false };
  const n = m[2] ? Number(m[2]) : NaN;
  return { redundant: true, unclear: false, ...(n >= 1 && n <= listed ? { index: n - 1 } : {}) };
}
