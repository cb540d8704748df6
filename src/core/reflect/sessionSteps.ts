/**
 * One reflection session in two parts, so many sessions can be worked on at once while the KB
 * stays the one a session-by-session run would build (issue 15):
 *
 *   prepareSession  everything that does not depend on the KB: the base answer, the three
 *                   reflection turns, splitting the last answer, and the effectiveness checks of
 *                   the candidates that a guess of the KB does not already rule out. It may run
 *                   ahead of, and in any order with, the other sessions.
 *   commitSession   the acceptance, in session order against the KB as it is at that point: the
 *                   text checks again, any effectiveness check the guess skipped, and the
 *                   non-redundancy check (its prompt lists the KB, so it cannot run ahead).
 *
 * The record commitSession returns is the one the sequential run wrote (a check run ahead whose
 * candidate turns out redundant is left out of it), so the KB and the checkpoint do not depend on
 * how far ahead preparation ran or in which order answers arrived.
 */
import type { Re2llmConfig } from '../config/defaults';
import type { Session } from '../data/types';
import type { ChatRequest, ChatResult, LlmClient } from '../llm/types';
import { chatCost, roundCost, type Prices } from '../llm/prices';
import { withChat } from '../llm/withChat';
import { buildRankPrompt, rankPromptOptions, titleOf } from '../prompts/rank';
import { rankSession, type RankContext } from '../rank/rankSession';
import { hintIdFor, uniqueHintId } from '../kb/actions';
import type { KbSnapshot } from '../kb/store';
import { isEnabled, type ActionHint } from '../kb/types';
import { checkEffectiveness, checkRedundancy, leakedTitle, sessionLeakIndex, textRedundancy, type EffectivenessResult } from './checks';
import { reflectionMessages, type PromptWords } from './prompts';
import { splitHints } from './splitHints';
import type { CandidateRecord, SessionRecord, SessionUsage } from './types';

/** What the KB-free part of a session found. */
export interface PreparedSession {
  index: number;
  session: Session;
  baseRank: number | null;
  error: boolean;
  /** Candidate hint texts of the last reflection answer, in answer order (error sessions). */
  texts: string[];
  /**
   * Each text's checks that do not depend on the KB (its id; empty, overlong or leaked), made
   * once: acceptance and every replay of it screen the same texts against a different KB.
   */
  fixed: FixedVerdict[];
  /** Effectiveness of the candidates checked ahead of acceptance, by text, with the client that asked. */
  effect: Map<string, { result: EffectivenessResult; client: SessionClient }>;
}

/**
 * The answers this run paid for (by cache key, with their tokens), and which of them a kept
 * session has been charged already. A session is charged for each answer it used that this run
 * paid for and no earlier kept session was charged: the same as a one-session-at-a-time run,
 * whoever made the request (the session itself, or work run ahead for it).
 */
export interface Ledger {
  /** `cost`: what the answer cost where it is not the online price of its tokens (a batch line). */
  made: Map<string, { promptTokens: number; completionTokens: number; cost?: number }>;
  charged: Set<string>;
}

export function newLedger(): Ledger {
  return { made: new Map(), charged: new Set() };
}

/** The client with every answer it had to ask (not from the cache) entered in the ledger. */
export function ledgerClient(inner: LlmClient, ledger: Ledger): LlmClient {
  return withChat(inner, async (req, signal) => {
    const res = await inner.chat(req, signal);
    if (!res.cached) ledger.made.set(res.key, { promptTokens: res.promptTokens, completionTokens: res.completionTokens });
    return res;
  });
}

/**
 * A client for one session's requests: sends them through `send` (online, or held for the next
 * round of a batch) and remembers which answers the session used, so budgets can be charged to
 * the sessions a run keeps (`charge`) instead of to whatever ran ahead.
 */
export class SessionClient implements LlmClient {
  /** Cache keys of the answers this session's requests used. */
  private readonly used = new Set<string>();
  /** Embeddings: the client does not say which were cached; charged as one call of ~4 chars a token (what a cold run pays). */
  private readonly embedded: SessionUsage = { calls: 0, tokens: 0, cost: 0 };

  constructor(
    private readonly inner: LlmClient,
    /**
     * Where requests go; the pipeline switches it to online for the acceptance step.
     * `stillNeeded`, when given, is asked again once the request has its slot (online): false
     * there and the request is not sent (it fails with CheckNotNeeded).
     */
    public send: (req: ChatRequest, signal?: AbortSignal, stillNeeded?: () => boolean) => Promise<ChatResult>,
    private readonly prices: Prices,
  ) {}

  async chat(req: ChatRequest, signal?: AbortSignal): Promise<ChatResult> {
    const res = await this.send(req, signal);
    if (res.key) this.used.add(res.key);
    return res;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const out = await this.inner.embed(texts, signal);
    const tokens = Math.ceil(texts.join(' ').length / 4);
    this.embedded.calls++;
    this.embedded.tokens += tokens;
    this.embedded.cost += (tokens * this.prices.embeddingPerMTok) / 1e6;
    return out;
  }

  /**
   * A client whose answers count only once `add` takes them in (a check used by acceptance);
   * its requests carry `stillNeeded` (see `send`).
   */
  child(stillNeeded?: () => boolean): SessionClient {
    return new SessionClient(this.inner, (req, signal) => this.send(req, signal, stillNeeded), this.prices);
  }

  add(child: SessionClient): void {
    for (const k of child.used) this.used.add(k);
    this.embedded.calls += child.embedded.calls;
    this.embedded.tokens += child.embedded.tokens;
    this.embedded.cost += child.embedded.cost;
  }

  /** What this session's answers cost this run, charged once per answer (in session order). */
  charge(ledger: Ledger): SessionUsage {
    const u: SessionUsage = { ...this.embedded };
    for (const k of this.used) {
      const made = ledger.made.get(k);
      if (!made || ledger.charged.has(k)) continue;
      ledger.charged.add(k);
      u.calls++;
      u.tokens += made.promptTokens + made.completionTokens;
      u.cost += made.cost ?? chatCost(this.prices, made.promptTokens, made.completionTokens);
    }
    u.cost = roundCost(u.cost);
    return u;
  }

  usage(): ReturnType<LlmClient['usage']> {
    return this.inner.usage();
  }

  describe(): ReturnType<LlmClient['describe']> {
    return this.inner.describe();
  }
}

/**
 * A request whose `stillNeeded` said no once it had its slot: an effectiveness check of a
 * candidate that the KB has come to repeat while the check waited (acceptance will find it
 * redundant by its words, or check it itself if the KB changed again).
 */
export class CheckNotNeeded extends Error {
  constructor() {
    super('effectiveness check no longer needed');
    this.name = 'CheckNotNeeded';
  }
}

/** Reflection's turns (what went wrong, why, then the hints), each on the answer before. */
const REFLECTION_TURNS = 3;

/**
 * The fewest calls a session makes in all once it made `calls`: one (its base answer) until a
 * second is under way, which means the LLM got it wrong: then the turns too (its effectiveness
 * checks may all be screened out).
 */
export function fewestSessionCalls(calls: number): number {
  return calls >= 2 ? Math.max(calls, 1 + REFLECTION_TURNS) : calls;
}

/**
 * What a session the LLM gets wrong is taken to make in all before any is kept: its base answer,
 * the turns and two effectiveness checks. Kept error sessions made 5.3-7.3 calls on the three
 * datasets measured (title-only JSONL, ml-100k-recbole, hetrec: 1.8-4.6 candidates, many screened
 * out before their check, few reaching a redundancy question).
 */
const PRIOR_WRONG_CALLS = 1 + REFLECTION_TURNS + 2;

/**
 * The calls a session that made (or has in flight) `calls` is expected to make in all, before
 * kept sessions say: one the LLM got wrong (a second call under way) PRIOR_WRONG_CALLS; one not
 * yet answered its base answer and, at `errorShare` (the share of sessions the LLM got wrong so
 * far), the rest of that. What the budget gate shrinks the kept sessions' mean toward.
 */
export function expectedSessionCalls(calls: number, errorShare: number): number {
  return calls >= 2 ? Math.max(calls, PRIOR_WRONG_CALLS) : 1 + errorShare * (PRIOR_WRONG_CALLS - 1);
}

/**
 * The most calls acceptance still makes for a prepared session: none for one the LLM ranked
 * right, else a redundancy question for each candidate its checks found effective.
 */
export function callsLeftWhenPrepared(p: PreparedSession): number {
  if (!p.error) return 0;
  let n = 0;
  for (const e of p.effect.values()) if (e.result.effective) n++;
  return n;
}

export interface StepContext {
  ctx: RankContext;
  words: PromptWords;
}

interface Screened {
  candidates: CandidateRecord[];
  /** Candidates left for the effectiveness check, in answer order. */
  pending: CandidateRecord[];
}

/** A candidate's id and, when a check without the KB rules it out, why. */
export interface FixedVerdict {
  id: string;
  verdict?: 'empty' | 'overlong' | 'leak';
  leakTitle?: string;
}

/** The checks that need neither the LLM nor the KB, in answer order: empty, overlong, leak. */
function fixedVerdicts(config: Re2llmConfig, texts: string[], leak: ReturnType<typeof sessionLeakIndex>): FixedVerdict[] {
  return texts.map((text): FixedVerdict => {
    const id = hintIdFor(text);
    if (!/[\p{L}\p{N}]/u.test(text)) return { id, verdict: 'empty' };
    if (text.length > config.reflection.maxHintChars) return { id, verdict: 'overlong' };
    const leaked = leakedTitle(text, leak);
    return leaked !== undefined ? { id, verdict: 'leak', leakTitle: leaked } : { id };
  });
}

/**
 * The checks that need no LLM, in answer order: the fixed ones, then the same words as a hint in
 * `against` or an earlier candidate of this session.
 */
function screen(texts: string[], fixed: FixedVerdict[], against: ActionHint[]): Screened {
  const candidates: CandidateRecord[] = [];
  const pending: CandidateRecord[] = [];
  const seen: ActionHint[] = [];
  texts.forEach((text, i) => {
    const f = fixed[i]!;
    const c: CandidateRecord = { id: f.id, text, verdict: f.verdict ?? 'skipped' };
    candidates.push(c);
    if (f.verdict) {
      if (f.leakTitle !== undefined) c.leakTitle = f.leakTitle;
      return;
    }
    const dup = textRedundancy(text, [...against, ...seen]);
    seen.push({ id: c.id, text });
    if (dup) {
      c.verdict = 'redundant';
      c.redundantWith = dup.redundantWith;
      c.redundancyBy = 'text';
      return;
    }
    pending.push(c);
  });
  return { candidates, pending };
}

/**
 * The KB-free part of one session, through `client` (base answer and turns charged to it, each
 * effectiveness check metered apart: it is charged only if acceptance uses it). `kbGuess` gives
 * what the KB will hold at least when the session is accepted (the KB as last read plus this
 * checkpoint's accepted hints): a candidate with the same words as one of them is redundant then
 * too, so its effectiveness is not asked. It is read after the turns, as late as possible.
 */
export async function prepareSession(
  sc: StepContext,
  client: SessionClient,
  session: Session,
  index: number,
  kbGuess: () => ActionHint[],
  signal?: AbortSignal,
  onChecks?: (texts: string[]) => void,
): Promise<PreparedSession> {
  const { words } = sc;
  const ctx = { ...sc.ctx, client };
  const { config, dataset } = ctx;
  const topK = config.prompt.topK;
  const base = await rankSession(ctx, session, undefined, signal);
  const baseRank = base.parsed.targetRank;
  const error = baseRank === null || baseRank > topK;
  const out: PreparedSession = { index, session, baseRank, error, texts: [], fixed: [], effect: new Map() };
  if (!error) return out;

  const basePrompt = buildRankPrompt(dataset, session, rankPromptOptions(config)).messages;
  const targetTitle = titleOf(dataset, session.target);
  const answers = [base.answer];
  for (let turn = 1; turn <= REFLECTION_TURNS; turn++) {
    const res = await client.chat({ messages: reflectionMessages(basePrompt, answers, words, targetTitle, topK), purpose: 'reflect' }, signal);
    answers.push(res.text);
  }
  out.texts = splitHints(answers[3]!).hints;
  out.fixed = fixedVerdicts(config, out.texts, sessionLeakIndex(dataset, session));
  const { pending } = screen(out.texts, out.fixed, kbGuess());
  // Effectiveness: independent fresh conversations, so they run side by side. Screened again
  // against the guess when a check has its slot: at c = 64 checks wait hundreds of ms for one,
  // while sessions before this one are accepted, and 46 of hetrec-mini's 202 checks were of
  // candidates acceptance then found repeating a hint by its words (bench/stageBench.ts).
  const checks = pending.map(async (c) => {
    const meter = client.child(() => textRedundancy(c.text, kbGuess()) === undefined);
    try {
      const result = await checkEffectiveness({ ...ctx, client: meter }, session, c.text, baseRank, signal);
      out.effect.set(c.text, { result, client: meter });
    } catch (err) {
      if (!(err instanceof CheckNotNeeded)) throw err;
    }
  });
  // Told once the checks are asked (each has its slot or its place in the queue by now: a request
  // is counted the moment it is made), so what it asks beside them comes after them.
  if (pending.length) onChecks?.(pending.map((c) => c.text));
  await Promise.all(checks);
  return out;
}

export interface CommitInput {
  prepared: PreparedSession;
  /** The KB as it is now (re-read just before). */
  snap: KbSnapshot;
  /** Hints this checkpoint accepted before (those the user deleted since are not re-added). */
  acceptedBefore: ActionHint[];
  targetHints: number;
  signal?: AbortSignal;
}

/**
 * Acceptance of one prepared session against the KB as it is now; the checkpoint's record.
 * `client` is the session's (prepareSession's): it ends holding what the record's requests cost.
 */
export async function commitSession(sc: StepContext, client: SessionClient, inp: CommitInput): Promise<SessionRecord> {
  const { words } = sc;
  const ctx = { ...sc.ctx, client };
  const { config } = ctx;
  const { prepared: p, snap, signal } = inp;
  const record: SessionRecord = { index: p.index, sessionId: p.session.id, baseRank: p.baseRank, error: p.error, candidates: [] };
  if (!p.error) return record;

  // Everything a candidate must not repeat: the KB as it is now (enabled or not), and hints this
  // run accepted before that the user has since deleted (deletions win: they are not re-added).
  const kbNow: ActionHint[] = snap.kb.hints.map((h) => ({ id: h.id, text: h.text }));
  const kbIds = new Set(kbNow.map((h) => h.id));
  const deleted = inp.acceptedBefore.filter((a) => !kbIds.has(a.id));
  const { candidates, pending } = screen(p.texts, p.fixed, [...kbNow, ...deleted]);
  record.candidates = candidates;

  // A candidate the guess ruled out that is not redundant now (the KB was edited by hand) is
  // checked here.
  await Promise.all(
    pending.map(async (c) => {
      const ahead = p.effect.get(c.text);
      if (ahead) client.add(ahead.client);
      const e = ahead?.result ?? (await checkEffectiveness(ctx, p.session, c.text, p.baseRank, signal));
      c.effective = e.effective;
      c.rankAfter = e.rankAfter;
      if (!e.effective) c.verdict = 'ineffective';
    }),
  );

  // Non-redundancy, in answer order, against the KB plus the hints accepted just before.
  let size = snap.kb.hints.filter(isEnabled).length;
  const accepted: ActionHint[] = [];
  for (const c of pending) {
    if (!c.effective) continue;
    if (size >= inp.targetHints) break; // the KB is full: the rest stay 'skipped'
    const against = [...kbNow, ...accepted];
    const red = textRedundancy(c.text, accepted) ?? (await checkRedundancy(client, config, words, c.text, against, signal));
    if (red.redundant) {
      c.verdict = 'redundant';
      c.redundantWith = red.redundantWith;
      if (red.by) c.redundancyBy = red.by;
      if (red.similarity !== undefined) c.similarity = red.similarity;
      continue;
    }
    if (red.similarity !== undefined) c.similarity = red.similarity;
    c.redundantWith = null;
    c.verdict = 'accepted';
    // Ids come from the text; a different hint already holding this id (hand-named) keeps it.
    if (kbIds.has(c.id)) c.id = uniqueHintId(c.text, new Set([...kbIds, ...accepted.map((a) => a.id)]));
    accepted.push({ id: c.id, text: c.text });
    size++;
  }
  return record;
}
