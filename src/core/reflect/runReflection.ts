/**
 * Reflective exploration (method.md, "Prompts"; issue 3): draw training sessions in a seeded
 * order, find error sessions (target missing from the base top K), hold the three-turn reflection
 * conversation, split the last answer into candidate hints and keep those that pass the checks
 * (checks.ts) until the KB holds `targetHints` hints or a budget runs out.
 *
 * Many sessions at once (issue 15): the part of a session that does not depend on the KB runs
 * ahead, up to the client's in-flight limit (pipeline.ts, sessionSteps.ts); acceptance runs in
 * the seeded session order, so the KB is the one a session-by-session run builds whatever the
 * concurrency or timing. With `fillRound` (llm.executor=batch) the sessions run ahead in rounds,
 * each handed to the executor as one plan, and so do the redundancy questions acceptance will ask
 * (redundancyRounds).
 *
 * Resumable: the checkpoint (checkpoint.ts) is written after every session and the KB through
 * saveKbMerged, so hand edits to the KB made during the run are kept. The KB is re-read before
 * each session is accepted, so the redundancy check and the stop rule see the user's current
 * version. A session that failed for good is asked again by the next run of the checkpoint:
 * sessions from the first failed one on are redone (from the cache) and the hints they added are
 * taken out first, so the KB ends as a run without the failure would have built it.
 */
import { promises as fsp } from 'node:fs';
import type { Re2llmConfig } from '../config/defaults';
import type { Session, SessionDataset } from '../data/types';
import type { ChatRequest, ChatResult, LlmClient, UsageStats } from '../llm/types';
import { clientPoolWidth } from '../llm/widePool';
import { isRecordableFailure } from '../llm/client';
import type { PaidAnswer } from '../llm/paidAhead';
import { effectivePrices, roundCost } from '../llm/prices';
import type { RankContext } from '../rank/rankSession';
import { Rng } from '../util/rng';
import { silentLogger, systemClock, type Clock, type Logger } from '../util/log';
import { CoalescedWrite } from '../util/coalescedWrite';
import { loadKbFile, reloadKbFile, saveKbMerged, type KbSnapshot } from '../kb/store';
import { isEnabled, type ActionHint, type KbHint } from '../kb/types';
import { checkpointKey, checkpointPath, loadCheckpoint, saveCheckpoint, CHECKPOINT_VERSION, type ReflectionCheckpoint } from './checkpoint';
import { redundancyHintOf, redundancyRequest, type PromptWords } from './prompts';
import { SessionPipeline } from './pipeline';
import { groupSize, sessionsBeforeRate, sessionsToTarget, type Prefix } from './sessionsNeeded';
import { mayRunAhead, pricePerCall, SessionCosts, type Amount, type BudgetGateInput, type SessionSpend } from './budgetGate';
import { commitSession, expectedSessionCalls, fewestSessionCalls, ledgerClient, newLedger, prepareSession, SessionClient, type PreparedSession } from './sessionSteps';
import {
  emptyRejectCounts,
  type ReflectionProgress,
  type ReflectionSummary,
  type RejectCounts,
  type SessionRecord,
  type StopReason,
  type UsageTotals,
} from './types';

export interface ReflectionOptions {
  dataset: SessionDataset;
  client: LlmClient;
  config: Re2llmConfig;
  /** The KB file to grow (created when missing). */
  kbPath: string;
  /** Folder for the checkpoint; the same folder on a rerun continues the run. */
  runDir: string;
  logger?: Logger;
  signal?: AbortSignal;
  onProgress?: (p: ReflectionProgress) => void;
  /** For createdAt stamps and wall time (tests pass a fixed one). */
  clock?: Clock;
  /**
   * Cost budget over every run of this checkpoint, in the currency of llm.*CostPerMTok (no limit
   * when absent). Not a config setting yet: the CLI's --max-cost passes it.
   */
  maxCost?: number;
  /**
   * Fills one round of requests into the response cache before the sessions read them
   * (llm.executor=batch: the Batch API). Absent: requests go out online as sessions need them.
   */
  fillRound?: (requests: ChatRequest[], signal?: AbortSignal) => Promise<PaidAnswer[] | void>;
  /**
   * Answers paid for before the run outside the client (the first round's base answers, filled
   * as one batch): counted in this run's spend, and charged to the sessions that read them, like
   * a round's lines.
   */
  paidAhead?: readonly PaidAnswer[];
}

/** The replay's stub answer: "no", i.e. not redundant (and nothing else for other requests). */
const NOT_REDUNDANT: ChatResult = { text: 'no', cached: true, promptTokens: 0, completionTokens: 0, key: '' };

/** A redundancy question's identity within one run (same model and settings throughout). */
const questionKey = (req: ChatRequest): string => JSON.stringify(req.messages);

/** The seeded order in which training sessions are drawn (the same for every run with the seed). */
export function reflectionOrder(train: Session[], seed: number): Session[] {
  return Rng.derive(seed, 'reflection-sessions').shuffle(train.slice());
}

function usageTotals(u: UsageStats): UsageTotals {
  return { calls: u.calls, cacheHits: u.cacheHits, tokens: u.promptTokens + u.completionTokens, cost: u.cost };
}


function minus(a: UsageTotals, b: UsageTotals): UsageTotals {
  return { calls: a.calls - b.calls, cacheHits: a.cacheHits - b.cacheHits, tokens: a.tokens - b.tokens, cost: roundCost(a.cost - b.cost) };
}

function plus(a: UsageTotals, b: UsageTotals): UsageTotals {
  return { calls: a.calls + b.calls, cacheHits: a.cacheHits + b.cacheHits, tokens: a.tokens + b.tokens, cost: roundCost(a.cost + b.cost) };
}

function countRejected(sessions: SessionRecord[]): RejectCounts {
  const c = emptyRejectCounts();
  for (const s of sessions) for (const h of s.candidates) if (h.verdict !== 'accepted' && h.verdict !== 'skipped') c[h.verdict]++;
  return c;
}

export async function runReflection(opts: ReflectionOptions): Promise<ReflectionSummary> {
  const { dataset, client, config, kbPath, runDir, signal } = opts;
  const logger = opts.logger ?? silentLogger;
  const clock = opts.clock ?? systemClock;
  const started = clock.now();
  const r = config.reflection;
  const ctx: RankContext = { dataset, client, config };
  const words: PromptWords = {
    item: config.dataset.itemNoun,
    items: config.dataset.itemNounPlural,
    verb: config.dataset.verbPast,
    verbPresent: config.dataset.verbPresent,
  };
  const model = client.describe();

  // Checkpoint: continue it, or set aside one made with other settings.
  const key = checkpointKey(config, dataset.hash, kbPath, model);
  const loaded = await loadCheckpoint(runDir, key);
  if (loaded.mismatch) {
    const aside = checkpointPath(runDir).replace(/\.json$/, `.${clock.now()}.json`);
    await fsp.rename(checkpointPath(runDir), aside);
    logger.log('warn', `reflection: the checkpoint in ${runDir} was made with other settings; kept as ${aside}, starting over`);
  }
  const cp: ReflectionCheckpoint = loaded.checkpoint ?? {
    version: CHECKPOINT_VERSION,
    key,
    dataset: dataset.name,
    kbPath,
    sessions: [],
    accepted: [],
    usage: { calls: 0, cacheHits: 0, tokens: 0, cost: 0 },
    updatedAt: new Date(clock.now()).toISOString(),
  };
  const resumed = cp.sessions.length > 0;
  if (resumed) logger.log('info', `reflection: resuming after ${cp.sessions.length} session(s), ${cp.accepted.length} hint(s) accepted`);

  const runStart = usageTotals(client.usage());
  /**
   * What rounds paid (llm.executor=batch): the executor's lines, which the client does not count.
   * Part of this run's spend for the budget gate, the checkpoint and the summary.
   */
  const roundsPaid: UsageTotals = { calls: 0, cacheHits: 0, tokens: 0, cost: 0 };
  const thisRun = (): UsageTotals => plus(minus(usageTotals(client.usage()), runStart), roundsPaid);
  /**
   * This run's calls whose answers came back, and their cost: the budget gate counts the ones in
   * flight apart (the pipeline's pending requests), and a call's price is this cost over these
   * calls. Counted with the calls still out, at c = 64 early in a run most calls had no cost yet:
   * a call looked a quarter of its price and the run paid 2.3x a --max-cost of 0.002.
   */
  const answeredThisRun = (): UsageTotals => {
    const t = thisRun();
    return { ...t, calls: t.calls - (client.usage().unanswered ?? 0) };
  };
  let lastUsage = thisRun();
  const checkpoint = async (): Promise<void> => {
    const now = thisRun();
    cp.usage = plus(cp.usage, minus(now, lastUsage));
    lastUsage = now;
    await saveCheckpoint(runDir, cp);
  };
  // Every checkpoint write goes through one writer: a write in the background and one waited for
  // must not both rename onto the file (the older could land last). Background writes gather
  // for 200 ms: at c = 64 sessions finish by the hundred a second, and each write serialises the
  // whole checkpoint (a crash loses at most those 200 ms of records, redone from the cache).
  const saver = new CoalescedWrite(checkpoint, 200);

  let snap: KbSnapshot = await loadKbFile(kbPath, dataset.name, { maxHintChars: config.reflection.maxHintChars });
  const mergeSkipped: { id: string; reason: string }[] = [];
  const hintEntry = (a: ReflectionCheckpoint['accepted'][number]): KbHint => ({
    id: a.id,
    text: a.text,
    enabled: true,
    source: 'reflection',
    provenance: {
      session: a.session,
      model: model.model,
      createdAt: a.createdAt,
      checks: { effective: true, rankBefore: a.rankBefore, rankAfter: a.rankAfter, redundantWith: null, leak: false },
    },
  });
  /** Writes accepted hints not yet in the KB file (merging with any hand edits), then marks them saved. */
  const flush = async (): Promise<void> => {
    const pending = cp.accepted.filter((a) => !a.saved);
    if (!pending.length) return;
    const have = new Set(snap.kb.hints.map((h) => h.id));
    const add = pending.filter((a) => !have.has(a.id)).map(hintEntry);
    if (add.length) {
      const res = await saveKbMerged(kbPath, snap, { ...snap.kb, hints: [...snap.kb.hints, ...add] });
      snap = res.snapshot;
      for (const s of res.skipped) {
        mergeSkipped.push(s);
        logger.log('warn', `reflection: hint ${s.id} not written to ${kbPath} (${s.reason})`);
      }
      if (res.merged) logger.log('info', `reflection: ${kbPath} was edited during the run; new hints merged into the edited version`);
    }
    for (const a of pending) a.saved = true;
    // Not waited for: a crash before it lands leaves them marked unsaved, and the next run finds
    // them in the KB already (by id) instead of adding them twice.
    saver.soon();
  };
  await flush();
  snap = await retryFailedSessions(cp, snap, kbPath, logger);
  // The clock is read once per step, never per write: how many writes a run coalesces depends on
  // timing, and a run's records (and a test's ticking clock) must not.
  cp.updatedAt = new Date(clock.now()).toISOString();
  await saver.now();

  const order = reflectionOrder(dataset.splits.train, r.seed);
  const limit = Math.min(r.maxSessions, order.length);
  const kbSize = (): number => snap.kb.hints.filter(isEnabled).length;
  let lastHint: string | undefined = cp.accepted[cp.accepted.length - 1]?.text;
  let sessionsThisRun = 0;
  const progress = (): void => {
    const u = thisRun();
    const c = client.usage();
    opts.onProgress?.({
      failedSessions: cp.sessions.filter((s) => s.failure).length,
      retries: c.retries,
      failures: c.failures,
      concurrencyLimit: c.concurrencyLimit ?? config.llm.concurrency,
      sessionIndex: cp.sessions.length,
      sessions: limit,
      accepted: cp.accepted.length,
      rejected: countRejected(cp.sessions),
      calls: u.calls,
      cacheHits: u.cacheHits,
      tokens: u.tokens,
      cost: u.cost,
      kbSize: kbSize(),
      targetHints: r.targetHints,
      ...(lastHint !== undefined ? { lastHint } : {}),
    });
  };
  progress();

  // Budgets are charged with what the kept sessions cost (sessions run ahead and not kept are
  // not), so where a run stops does not depend on timing. A checkpoint written before sessions
  // carried their usage is charged its recorded total once.
  const legacy = cp.sessions.some((s) => !s.usage) ? { calls: cp.usage.calls, cost: cp.usage.cost } : { calls: 0, cost: 0 };
  const kept = (): Amount => {
    let calls = legacy.calls;
    let cost = legacy.cost;
    for (const s of cp.sessions) {
      calls += s.usage?.calls ?? 0;
      cost += s.usage?.cost ?? 0;
    }
    return { calls, cost: roundCost(cost) };
  };
  // What earlier runs were charged, and what kept sessions cost (to tell what open ones will
  // still spend): how far sessions may run ahead under a budget (budgetGate.ts).
  const keptAtStart = kept();
  const sessionCosts = new SessionCosts();
  for (const s of cp.sessions) if (s.usage) sessionCosts.add(s.usage);
  const prices = effectivePrices({ ...config.llm, baseUrl: model.baseUrl });
  const acceptedHints = (): ActionHint[] => cp.accepted.map((a) => ({ id: a.id, text: a.text }));
  const ledger = newLedger();
  const tracked = ledgerClient(client, ledger);
  // Rounds (llm.executor=batch): the lines each round paid for enter the ledger at what they cost
  // (batch prices), so kept sessions are charged that, and count in this run's spend.
  let roundsSayPaid = false;
  const paidOutside = (paid: readonly PaidAnswer[]): void => {
    for (const p of paid) {
      if (ledger.made.has(p.key)) continue;
      ledger.made.set(p.key, { promptTokens: p.promptTokens, completionTokens: p.completionTokens, cost: p.cost });
      roundsPaid.calls++;
      roundsPaid.tokens += p.promptTokens + p.completionTokens;
      roundsPaid.cost = roundCost(roundsPaid.cost + p.cost);
    }
  };
  paidOutside(opts.paidAhead ?? []);
  const fillRound = opts.fillRound && (async (requests: ChatRequest[], sig?: AbortSignal): Promise<PaidAnswer[] | void> => {
    const paid = await opts.fillRound!(requests, sig);
    if (!paid) return paid;
    roundsSayPaid = true;
    paidOutside(paid);
    return paid;
  });
  /**
   * Rounds under a budget (--max-cost, --max-calls): what an open session will cost is the mean
   * of the kept sessions (while none got as far, the fewest calls its chain can make), and a round
   * pays for every line it holds at once. So where the sessions up to `index` could pass the
   * budget if each were one the LLM gets wrong (its turns at least, at the kept error sessions'
   * mean once known), a round runs at most twice as many sessions ahead as there are kept sessions
   * to take that mean from (and at least llm.concurrency). The first group of hetrec's reflection is 180 sessions: priced
   * at the one call a session the LLM ranks right costs, all 180 base answers went in round 2
   * under a budget of 0.01, and the run paid 0.0171 where its kept sessions cost 0.0104.
   */
  const withinKnownCosts = (index: number): boolean => {
    if (!opts.fillRound) return true;
    const ahead = index - cp.sessions.length;
    if (ahead < Math.max(config.llm.concurrency, 2 * sessionCosts.size)) return true;
    const wrong = sessionCosts.expectedGiven(2);
    const spent = kept();
    if (spent.calls + (ahead + 1) * (wrong?.calls ?? fewestSessionCalls(2)) >= r.maxCalls) return false;
    if (opts.maxCost === undefined) return true;
    const perCall = pricePerCall({ made: thisRun(), before: keptAtStart, maxCost: opts.maxCost });
    if (perCall === undefined) return false;
    return spent.cost + (ahead + 1) * (wrong?.cost ?? fewestSessionCalls(2) * perCall) < opts.maxCost;
  };
  /**
   * The share of sessions the LLM got wrong so far (kept ones, and open ones before the asking
   * one whose base answer is in), with one of each counted in advance: what a session not yet
   * answered is taken to cost online (expectedSessionCalls).
   */
  let keptWrong = { sessions: -1, known: 0, wrong: 0 };
  const errorShare = (open: readonly SessionSpend[]): number => {
    if (keptWrong.sessions !== cp.sessions.length) {
      keptWrong = { sessions: cp.sessions.length, known: 0, wrong: 0 };
      for (const s of cp.sessions) {
        if (s.failure) continue;
        keptWrong.known++;
        if (s.error) keptWrong.wrong++;
      }
    }
    let { known, wrong } = keptWrong;
    for (const o of open) {
      const isWrong = o.error ?? (o.calls + o.pending >= 2 ? true : undefined);
      if (isWrong === undefined) continue;
      known++;
      if (isWrong) wrong++;
    }
    return (wrong + 1) / (known + 2);
  };
  /**
   * What the gate counts as spent before the open sessions' remaining. Online: everything this
   * run made, run ahead and not kept included, which bounds what a run pays past its stop.
   * Rounds: what the kept sessions were charged and what the open ones before `index` spent; work
   * paid for sessions after `index` does not decide whether `index` is kept. Counting it held
   * every session after the head back once that work neared the budget, so each was reflected
   * alone in rounds of one line (45 of the 52 batches on hetrec under --max-cost 0.05).
   */
  const gateInput = (index: number): BudgetGateInput => {
    const openBefore = pipeline.spentBetween(cp.sessions.length, index);
    const common = { openBefore, costs: sessionCosts, fewestCalls: fewestSessionCalls, maxCalls: r.maxCalls, ...(opts.maxCost !== undefined ? { maxCost: opts.maxCost } : {}) };
    if (!opts.fillRound) {
      const share = errorShare(openBefore);
      // `common` spread last (its keys are not these): keys added after a spread cost V8 a runtime
      // call each, and the gate is asked for every request a session ahead makes.
      return { prior: { calls: (c: number) => expectedSessionCalls(c, share), weight: 1 }, before: keptAtStart, made: answeredThisRun(), pending: pipeline.pendingRequests(), ...common };
    }
    const k = kept();
    let calls = k.calls - keptAtStart.calls;
    let cost = k.cost - keptAtStart.cost;
    let pending = 0;
    for (const o of openBefore) {
      calls += o.calls;
      cost += o.cost;
      pending += o.pending;
    }
    return { before: keptAtStart, made: { calls, cost }, pending, ...common };
  };
  const pipeline: SessionPipeline = new SessionPipeline(
    {
      client: tracked, prices, limit, signal,
      onPrepared: () => void speculate(),
      roundAnswer: (res) => {
        // A filler that does not say what it paid: taken as filled by the executor this run
        // (it may have been in the cache already).
        if (!roundsSayPaid && !ledger.made.has(res.key)) ledger.made.set(res.key, { promptTokens: res.promptTokens, completionTokens: res.completionTokens });
      },
      concurrency: () => Math.max(1, client.usage().concurrencyLimit ?? config.llm.concurrency),
      // The client's width, widened when a request starts waiting to retry.
      ...clientPoolWidth(client, config.llm.concurrency),
      // Session `index` runs ahead only while the sessions before it, counted at what they will
      // cost, leave room in the budget: past that it would not be kept.
      mayRunAhead: (index): boolean => withinKnownCosts(index) && mayRunAhead(gateInput(index)),
      prepare: (index, sessionClient) =>
        prepareSession({ ctx, words }, sessionClient, order[index]!, index, () => [...snap.kb.hints.map((h) => ({ id: h.id, text: h.text })), ...acceptedHints(), ...predictedBefore(index)], signal, (texts) => askBesideChecks(texts, index)),
      // Past the session where the replay's KB reaches the target (plus a margin for the guesses
      // it got wrong), a session opened now is most likely one the run will not keep.
      aheadLimit: () => Math.min(sessionsToTarget(cp, r.targetHints - kbSize(), replayedPrefix, 'lower') ?? sessionsBeforeRate(r.targetHints - kbSize()), replayReach === undefined ? Infinity : replayReach - cp.sessions.length + Math.max(4, Math.ceil(0.25 * (replayReach - cp.sessions.length)))),
      ...(fillRound ? { fillRound, groupSize: () => groupSize(cp, r.targetHints - kbSize(), limit) } : {}),
    },
    cp.sessions.length,
  );

  /**
   * Hints accepted but not yet in the KB file as last read: acceptance reads the KB with them (an
   * answer can start a replay while they are being written).
   */
  const unsavedAccepted = (): KbHint[] => {
    const inFile = new Set(snap.kb.hints.map((h) => h.id));
    return cp.accepted.filter((a) => !inFile.has(a.id)).map((a): KbHint => ({ id: a.id, text: a.text, enabled: true }));
  };
  /**
   * Replays run again on every burst of answers, mostly over the same sessions: a session whose
   * inputs and redundancy answers are what they were last time accepts what it accepted then, so
   * only the sessions after a changed one are replayed anew.
   */
  /** Hints the last replay accepted past the head, by session: what the KB will most likely hold. */
  let predicted: { at: number; hint: ActionHint }[] = [];
  const predictedBefore = (index: number): ActionHint[] => predicted.filter((p) => p.at < index).map((p) => p.hint);
  const replayed = new Map<number, { prepared: PreparedSession; inputs: string; used: { req: ChatRequest; text: string }[]; added: KbHint[] }>();
  const sameAnswers = async (used: { req: ChatRequest; text: string }[], answer: (req: ChatRequest, at: number) => ChatResult | Promise<ChatResult>, at: number): Promise<boolean> => {
    for (const u of used) if ((await answer(u.req, at)).text !== u.text) return false;
    return true;
  };

  /**
   * Acceptance replayed from the session being accepted over the prepared ones after it, each
   * redundancy question answered by `answer` (a guess, or an answer already in hand), and so each
   * effectiveness check acceptance will make itself: that of a candidate the session's preparation
   * left unchecked because the KB it guessed then repeats it (unanswered, `answer` says "no",
   * which reads as ineffective). Other requests get that stub too. It asks nothing itself: it shows
   * which questions acceptance will ask. Returns how many sessions the replayed KB needed to reach
   * the target (undefined: it did not).
   */
  const replay = async (answer: (req: ChatRequest, at: number) => ChatResult | Promise<ChatResult>): Promise<number | undefined> => {
    const unsaved = unsavedAccepted();
    let hypo: KbSnapshot = unsaved.length ? { ...snap, kb: { ...snap.kb, hints: [...snap.kb.hints, ...unsaved] } } : snap;
    const before = acceptedHints();
    let size = kbSize() + unsaved.length;
    // What a session's acceptance depends on besides its own answers: the KB it reads and the
    // hints accepted before it.
    let inputs = `${hypo.kb.hints.map((h) => `${h.id}${isEnabled(h) ? '' : '-'}:${h.text}`).join('\n')}\n#${before.map((h) => h.id).join(' ')}`;
    for (const j of replayed.keys()) if (j < cp.sessions.length) replayed.delete(j);
    let at = 0;
    let used: { req: ChatRequest; text: string }[] = [];
    const guess = new SessionClient(
      client,
      async (req) => {
        if (req.purpose !== 'redundancy' && req.purpose !== 'rank-hint') return NOT_REDUNDANT;
        const res = await answer(req, at);
        used.push({ req, text: res.text });
        return res;
      },
      prices,
    );
    const size0 = size;
    const seen: { at: number; hint: ActionHint }[] = [];
    let j = cp.sessions.length;
    for (; j < limit && size < r.targetHints; j++) {
      const p = pipeline.peek(j);
      if (!p) break;
      at = j;
      let added: KbHint[];
      const known = replayed.get(j);
      if (known && known.prepared === p && known.inputs === inputs && (await sameAnswers(known.used, answer, j))) {
        added = known.added;
      } else {
        used = [];
        const rec = await commitSession({ ctx, words }, guess, { prepared: p, snap: hypo, acceptedBefore: before, targetHints: r.targetHints }).catch(() => undefined);
        if (!rec) break;
        added = rec.candidates.filter((c) => c.verdict === 'accepted').map((c): KbHint => ({ id: c.id, text: c.text, enabled: true }));
        replayed.set(j, { prepared: p, inputs, used, added });
      }
      for (const h of added) seen.push({ at: j, hint: { id: h.id, text: h.text } });
      if (added.length) {
        hypo = { ...hypo, kb: { ...hypo.kb, hints: [...hypo.kb.hints, ...added] } };
        before.push(...added.map((h) => ({ id: h.id, text: h.text })));
        size += added.length;
        inputs += `\n+${added.map((h) => `${h.id}:${h.text}`).join('\n+')}`;
      }
    }
    replayedPrefix = { sessions: j - cp.sessions.length, accepted: size - size0 };
    predicted = seen;
    return size >= r.targetHints ? at + 1 : undefined;
  };

  /**
   * Online: the non-redundancy question lists the KB, so acceptance asks it one hint after
   * another. The questions of the prepared sessions after the head are asked ahead on a guess of
   * what earlier questions answer: acceptance is replayed, and the questions that replay asks are
   * sent now. The replay takes a question's real answer where one came back; otherwise the answer
   * the same hint got against another version of the KB (whether a hint repeats the KB rarely
   * turns on the one hint a replay got wrong), else "not redundant". Each burst of answers replays
   * again, so a wrong guess costs a round of questions, not a question at a time. Where the guess
   * holds, acceptance finds its answer in the cache (or in flight); where it does not, acceptance
   * asks its own question. The effectiveness checks acceptance would make itself (candidates a
   * session's preparation skipped as repeating hints the KB then did not get) are sent ahead the
   * same way: left to acceptance, at 256 slots on hetrec-mini they went out one session at a time
   * at the end of the run, four rounds of a single request. Only timing and calls depend on it:
   * the KB is acceptance's.
   */
  let replaying: Promise<void> | undefined;
  let replayAgain = false;
  /** Sessions the last replay needed to reach the target (undefined: it did not get there). */
  let replayReach: number | undefined;
  /** The prepared sessions after the head the last replay went through, and the hints it accepted there. */
  let replayedPrefix: Prefix | undefined;
  /** Questions asked ahead online (by their text) and the answers that came back; the latest per hint. */
  const askedOnline = new Set<string>();
  const aheadAnswer = new Map<string, string>();
  const aheadByHint = new Map<string, string>();
  const askOnline = (req: ChatRequest, question: string, index: number): void => {
    askedOnline.add(question);
    void pipeline.fire(req, index).then((res) => {
      if (!res) return; // failed or not sent: acceptance asks it itself
      aheadAnswer.set(question, res.text);
      const hint = redundancyHintOf(req.messages);
      if (hint !== undefined) aheadByHint.set(hint, res.text);
      replaySoon();
    });
  };
  /**
   * A session's redundancy questions asked beside its effectiveness checks, where slots are idle:
   * each candidate against the KB the last replay expects before the session (the question
   * acceptance asks of the session's first candidate found effective, and of a later one when
   * those before it are not accepted). Left to the replays, a question goes out once the session's
   * checks are back, a round after them; at the end of a run that round waits alone, for the last
   * hint: hetrec-mini's seed 3 at c = 64 spent its last 0.6 s with 2-25 of 64 slots busy. Only
   * into idle slots (none is taken from work the run will keep; at c = 1 never) and not past the
   * session where the replay reaches the target; the rest is asked by the replays, as before. A
   * candidate found ineffective makes its question wasted: 1.7% more calls over nine runs, for
   * 3-4% less wall time. So nothing is asked beside the checks once the open sessions, counted at
   * what they will cost, could reach a budget: under `--max-calls 100` on hetrec at c = 64 the
   * run made 165 calls with them, 147 without (107 kept), and the --max-cost runs are unchanged.
   */
  const askBesideChecks = (texts: string[], index: number): void => {
    if (r.redundancy !== 'llm' || opts.fillRound) return;
    if (replayReach !== undefined && index >= replayReach) return;
    // Tested before the budget gate: while checks queue for slots (most of a run at c = 64) the
    // gate's projection over the open sessions would be computed for nothing.
    if (pipeline.idleSlots() === 0) return;
    // Only while every open session, counted at what it will cost, leaves room in the budgets.
    if (!mayRunAhead(gateInput(pipeline.nextToOpen()))) return;
    const listed = [...snap.kb.hints, ...unsavedAccepted(), ...predictedBefore(index)].map((h) => h.text);
    if (!listed.length) return; // an empty KB asks nothing
    for (const text of texts) {
      if (pipeline.idleSlots() === 0) return;
      const req = redundancyRequest(words, listed, text);
      const question = questionKey(req);
      if (!askedOnline.has(question)) askOnline(req, question, index);
    }
  };
  // Answers arrive in bursts (a round's worth at once): one replay after the burst, not one each.
  let replayQueued = false;
  const replaySoon = (): void => {
    if (replayQueued) return;
    replayQueued = true;
    setImmediate(() => {
      replayQueued = false;
      void speculate();
    });
  };
  const speculate = (): Promise<void> => {
    if (r.redundancy === 'embedding' || opts.fillRound) return Promise.resolve();
    if (replaying) {
      replayAgain = true;
      return replaying;
    }
    const run = (async () => {
      do {
        replayAgain = false;
        replayReach = await replay((req, at) => {
          const question = questionKey(req);
          if (!askedOnline.has(question)) askOnline(req, question, at);
          const hint = redundancyHintOf(req.messages);
          const text = aheadAnswer.get(question) ?? (hint !== undefined ? aheadByHint.get(hint) : undefined);
          return text === undefined ? NOT_REDUNDANT : { ...NOT_REDUNDANT, text };
        });
      } while (replayAgain);
    })();
    // Cleared after the assignment: a replay with nothing to replay finishes synchronously, and
    // clearing inside it would leave `replaying` set to a finished replay for good.
    replaying = run;
    void run.finally(() => {
      if (replaying === run) replaying = undefined;
    });
    return run;
  };

  /**
   * Rounds mode (llm.executor=batch): the same replay, but the questions it asks are collected and
   * filled as one round before acceptance reads them. The replay answers from what the rounds
   * brought back wherever it can, and guesses "not redundant" only for a question not asked yet;
   * so where a guess was wrong (a hint the LLM calls redundant), the next replay follows the true
   * answer and asks the questions after it as a further round. It repeats until a replay asks
   * nothing new: acceptance then finds every redundancy question it asks in the cache (one that
   * failed for good in its round is asked again by acceptance, online, as before). Rounds add
   * latency, never a different KB: acceptance still runs in order on the answers themselves.
   */
  const answered = new Map<string, ChatResult>();
  const askedAhead = new Set<string>();
  const redundancyRounds = async (): Promise<void> => {
    if (!opts.fillRound || r.redundancy === 'embedding') return;
    for (;;) {
      const round: { req: ChatRequest; index: number }[] = [];
      await replay((req, at) => {
        // Rounds ask the redundancy questions; a check acceptance makes itself stays its own.
        if (req.purpose !== 'redundancy') return NOT_REDUNDANT;
        const q = questionKey(req);
        const known = answered.get(q);
        if (known) return known;
        if (!askedAhead.has(q)) {
          askedAhead.add(q);
          round.push({ req, index: at });
        }
        return NOT_REDUNDANT;
      });
      if (!round.length) return;
      const answers = await pipeline.fillAhead(round);
      answers.forEach((res, i) => {
        if (res) answered.set(questionKey(round[i]!.req), res);
      });
    }
  };

  let stopReason: StopReason;
  try {
    for (;;) {
      if (signal?.aborted) {
        stopReason = 'cancelled';
        break;
      }
      snap = await reloadKbFile(snap, dataset.name, { maxHintChars: config.reflection.maxHintChars }); // the user's current version
      if (kbSize() >= r.targetHints) {
        stopReason = 'target';
        break;
      }
      if (cp.sessions.length >= limit) {
        stopReason = limit < order.length ? 'maxSessions' : 'exhausted';
        break;
      }
      const spent = kept();
      if (spent.calls >= r.maxCalls) {
        stopReason = 'maxCalls';
        break;
      }
      if (opts.maxCost !== undefined && spent.cost >= opts.maxCost) {
        stopReason = 'maxCost';
        break;
      }
      const index = cp.sessions.length;
      const session = order[index]!;
      const { outcome, client: sessionClient } = await pipeline.take(index);
      void speculate(); // from this session on, while it is accepted
      let record: SessionRecord;
      try {
        if (!outcome.ok) throw outcome.error;
        await redundancyRounds();
        record = await commitSession({ ctx, words }, sessionClient, { prepared: outcome.value, snap, acceptedBefore: acceptedHints(), targetHints: r.targetHints, ...(signal ? { signal } : {}) });
      } catch (err) {
        if (signal?.aborted) {
          stopReason = 'cancelled';
          break;
        }
        if (!isRecordableFailure(err)) throw err;
        // Failures are data: skip the session (nothing accepted from it) and count it; the next
        // run of this checkpoint asks it again (retryFailedSessions).
        record = { index, sessionId: session.id, baseRank: null, error: false, candidates: [], failure: { kind: err.kind, message: err.message } };
        logger.log('warn', `reflection: session ${session.id} skipped: ${err.message}`);
      }
      record.usage = sessionClient.charge(ledger);
      const createdAt = new Date(clock.now()).toISOString();
      cp.updatedAt = createdAt;
      for (const c of record.candidates) {
        if (c.verdict !== 'accepted') continue;
        cp.accepted.push({ id: c.id, text: c.text, session: session.id, createdAt, rankBefore: record.baseRank, rankAfter: c.rankAfter ?? null, saved: false });
        lastHint = c.text;
        logger.log('info', `reflection: accepted ${c.id} from ${session.id}: ${c.text}`);
      }
      cp.sessions.push(record);
      sessionCosts.add(record.usage);
      sessionsThisRun++;
      // A session that accepted hints: checkpoint first (the hints marked unsaved), then the KB,
      // then mark them saved, so a crash in between re-writes them on resume instead of losing or
      // duplicating them. Any other session's record is written in the background: losing it to a
      // crash costs a resume one session redone from the cache.
      if (cp.accepted.some((a) => !a.saved)) {
        await saver.now();
        await flush();
      } else saver.soon();
      logger.log('debug', `reflection: session ${index + 1}/${limit} ${session.id}: ${record.error ? `error session, ${record.candidates.length} candidate(s)` : `target at rank ${record.baseRank}, skipped`}`);
      progress();
      void speculate();
    }
  } finally {
    // Sessions run ahead stop at their next request; the answers in flight land in the cache.
    await pipeline.stop();
    await replaying;
    await saver.settled();
  }

  cp.updatedAt = new Date(clock.now()).toISOString();
  await saver.now();
  const u = thisRun();
  const summary: ReflectionSummary = {
    kbPath,
    runDir,
    stopReason,
    sessionsTried: cp.sessions.length,
    errorSessions: cp.sessions.filter((s) => s.error).length,
    failedSessions: cp.sessions.filter((s) => s.failure).length,
    proposed: cp.sessions.reduce((n, s) => n + s.candidates.length, 0),
    accepted: cp.accepted.length,
    rejected: countRejected(cp.sessions),
    thisRun: { ...u, sessions: sessionsThisRun, wallMs: clock.now() - started },
    total: cp.usage,
    keptCalls: kept().calls,
    kbSize: kbSize(),
    resumed,
    acceptedHints: cp.accepted.map((a) => ({ id: a.id, text: a.text, session: a.session })),
    mergeSkipped,
  };
  logger.log('info', `reflection: stopped (${stopReason}) after ${summary.sessionsTried} session(s); KB ${kbPath} holds ${summary.kbSize} hint(s)`);
  return summary;
}

/**
 * Sessions that failed for good in `runDir`'s checkpoint for these settings: the next run of
 * the checkpoint asks them again (below), so the stage runs even when the KB already holds its
 * target (a faulty run reaches the target without them, with a KB a fault-free run would not have).
 */
export async function failedSessionsToRetry(o: { dataset: SessionDataset; client: LlmClient; config: Re2llmConfig; kbPath: string; runDir: string }): Promise<number> {
  const { checkpoint } = await loadCheckpoint(o.runDir, checkpointKey(o.config, o.dataset.hash, o.kbPath, o.client.describe()));
  return checkpoint?.sessions.filter((s) => s.failure).length ?? 0;
}

/**
 * A session that failed for good is asked again by the next run of its checkpoint. Sessions
 * accepted after it saw a KB without its hints, so they are redone as well (their answers come
 * from the cache): the checkpoint drops them and the hints they added leave the KB (one the user
 * has reworded is theirs now and stays). The KB is written first: a crash before the checkpoint
 * write leaves the failure recorded, and the next run does this again.
 */
async function retryFailedSessions(cp: ReflectionCheckpoint, snap: KbSnapshot, kbPath: string, logger: Logger): Promise<KbSnapshot> {
  const first = cp.sessions.findIndex((s) => s.failure);
  if (first < 0) return snap;
  const dropped = cp.sessions.slice(first);
  const ids = new Set(dropped.map((s) => s.sessionId));
  const taken = cp.accepted.filter((a) => ids.has(a.session));
  const out = new Set(taken.filter((a) => snap.kb.hints.some((h) => h.id === a.id && h.text === a.text)).map((a) => a.id));
  if (out.size) snap = (await saveKbMerged(kbPath, snap, { ...snap.kb, hints: snap.kb.hints.filter((h) => !out.has(h.id)) })).snapshot;
  const failed = dropped.filter((s) => s.failure).length;
  logger.log('warn', `reflection: retrying ${failed} failed session(s): redoing the ${dropped.length} session(s) from #${first + 1} on, after taking out the ${out.size} hint(s) they added`);
  cp.sessions = cp.sessions.slice(0, first);
  cp.accepted = cp.accepted.filter((a) => !ids.has(a.session));
  return snap;
}
