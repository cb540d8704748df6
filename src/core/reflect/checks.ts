/**
 * The three checks a candidate hint must pass (method.md): it must not leak the answer, it must
 * help on its own session, and it must not repeat the KB. Each returns plain data for the
 * checkpoint.
 */
import type { Re2llmConfig } from '../config/defaults';
import type { Session, SessionDataset } from '../data/types';
import type { LlmClient } from '../llm/types';
import { rankSession, type RankContext } from '../rank/rankSession';
import { TitleIndex } from '../kb/titleIndex';
import { contentTokens, jaccard, NEAR_DUPLICATE_JACCARD, normaliseText } from '../kb/text';
import type { ActionHint } from '../kb/types';
import { parseRedundancyAnswer, redundancyRequest, type PromptWords } from './prompts';
import { rankOrBeyond } from '../metrics/rankMetrics';

/** Leak indexes built so far, per dataset and session (acceptance replays ask for the same ones). */
const leakIndexes = new WeakMap<SessionDataset, WeakMap<Session, { target: TitleIndex; candidates: TitleIndex }>>();

/**
 * Titles that count as a leak for one session: the target (any title of 3+ characters: it is the
 * answer, even when it is one common word) and every candidate (one-word titles only when not a
 * very common word; see TitleIndex).
 */
export function sessionLeakIndex(dataset: SessionDataset, session: Session): { target: TitleIndex; candidates: TitleIndex } {
  let perSession = leakIndexes.get(dataset);
  if (!perSession) leakIndexes.set(dataset, (perSession = new WeakMap()));
  const known = perSession.get(session);
  if (known) return known;
  const item = (id: string): { id: string; title: string } => ({ id, title: dataset.items.get(id)?.title ?? '' });
  const idx = {
    target: new TitleIndex([item(session.target)], { minWords: 1, minChars: 3 }),
    candidates: new TitleIndex(session.candidates.map(item), { minWords: 1, minChars: 5 }),
  };
  perSession.set(session, idx);
  return idx;
}

export function leakedTitle(text: string, idx: ReturnType<typeof sessionLeakIndex>): string | undefined {
  return idx.target.find(text)[0]?.title ?? idx.candidates.find(text)[0]?.title;
}

export interface EffectivenessResult {
  effective: boolean;
  rankAfter: number | null;
}

/**
 * Base prompt + hint in a fresh conversation. top10: the target enters the top K.
 * rankImprove: its rank improves by at least minRankImprovement, where "not listed" counts as
 * rank K + 1 (so for an error session it is the same as top10 with a margin).
 */
export async function checkEffectiveness(
  ctx: RankContext,
  session: Session,
  hint: string,
  baseRank: number | null,
  signal?: AbortSignal,
): Promise<EffectivenessResult> {
  const out = await rankSession(ctx, session, hint, signal);
  const k = ctx.config.prompt.topK;
  const rankAfter = out.parsed.targetRank;
  const effective =
    ctx.config.reflection.effectiveness === 'rankImprove'
      ? rankOrBeyond(baseRank, k) - rankOrBeyond(rankAfter, k) >= ctx.config.reflection.minRankImprovement
      : rankAfter !== null && rankAfter <= k;
  return { effective, rankAfter };
}

export interface RedundancyResult {
  redundant: boolean;
  redundantWith: string | null;
  by?: 'text' | 'llm' | 'embedding';
  similarity?: number;
}

/**
 * A hint's normalised text and content words, remembered for the texts seen last: acceptance and
 * its replays compare every candidate with every KB hint, again and again.
 */
const formsOf = (() => {
  const memo = new Map<string, { norm: string; tokens: Set<string> }>();
  return (text: string): { norm: string; tokens: Set<string> } => {
    let f = memo.get(text);
    if (!f) {
      if (memo.size >= 20_000) memo.clear();
      memo.set(text, (f = { norm: normaliseText(text), tokens: contentTokens(text) }));
    }
    return f;
  };
})();

/** Same or nearly the same words as a KB hint: redundant without asking anyone. */
export function textRedundancy(hint: string, kb: ActionHint[]): RedundancyResult | undefined {
  const { norm, tokens } = formsOf(hint);
  for (const h of kb) {
    const other = formsOf(h.text);
    if (other.norm === norm || jaccard(tokens, other.tokens) >= NEAR_DUPLICATE_JACCARD) {
      return { redundant: true, redundantWith: h.id, by: 'text' };
    }
  }
  return undefined;
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * (b[i] ?? 0);
    na += a[i]! * a[i]!;
    nb += (b[i] ?? 0) * (b[i] ?? 0);
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * The non-redundancy check against the current KB (hints without "no hint"), per
 * config.reflection.redundancy: 'llm' asks the yes/no question, 'embedding' compares cosine
 * similarity with every KB hint, 'both' flags a hint either one flags (embedding first: cheaper).
 */
export async function checkRedundancy(
  client: LlmClient,
  config: Re2llmConfig,
  words: PromptWords,
  hint: string,
  kb: ActionHint[],
  signal?: AbortSignal,
): Promise<RedundancyResult> {
  if (kb.length === 0) return { redundant: false, redundantWith: null };
  const mode = config.reflection.redundancy;
  let similarity: number | undefined;
  if (mode === 'embedding' || mode === 'both') {
    const [v, ...rest] = await client.embed([hint, ...kb.map((h) => h.text)], signal);
    let best = -1;
    let bestI = -1;
    rest.forEach((u, i) => {
      const c = cosine(v!, u);
      if (c > best) [best, bestI] = [c, i];
    });
    similarity = best;
    if (best > config.reflection.similarityThreshold) return { redundant: true, redundantWith: kb[bestI]!.id, by: 'embedding', similarity };
  }
  if (mode === 'llm' || mode === 'both') {
    const res = await client.chat(redundancyRequest(words, kb.map((h) => h.text), hint), signal);
    const a = parseRedundancyAnswer(res.text, kb.length);
    if (a.redundant) return { redundant: true, redundantWith: a.index !== undefined ? kb[a.index]!.id : null, by: 'llm', ...(similarity !== undefined ? { similarity } : {}) };
  }
  return { redundant: false, redundantWith: null, ...(similarity !== undefined ? { similarity } : {}) };
}
