/**
 * Reflective exploration (method.md, "Prompts"; issue 3): draw training sessions in a seeded
 * order, find error sessions (target missing from the base top K), hold the three-turn reflection
 * conversation, split the last answer into candidate hints and keep those that pass the checks
 * (checks.ts) until the KB holds `targetHints` hints or a budget runs out.
 *
 * Resumable: the checkpoint (checkpoint.ts) is written after every session and the KB through
 * saveKbMerged, so hand edits to the KB made during the run are kept. The KB is re-read before
 * each session, so the redundancy check and the stop rule see the user's current version.
 */
import { promises as fsp } from 'node:fs';
import type { Re2llmConfig } from '../config/defaults';
import type { Session, SessionDataset } from '../data/types';
import type { LlmClient, UsageStats } from '../llm/types';
import { isRecordableFailure } from '../llm/client';
import { buildRankPrompt, rankPromptOptions, titleOf } from '../prompts/rank';
import { rankSession, type RankContext } from '../rank/rankSession';
import { Rng } from '../util/rng';
import { silentLogger, systemClock, type Clock, type Logger } from '../util/log';
import { hintIdFor, uniqueHintId } from '../kb/actions';
import { loadKbFile, saveKbMerged, type KbSnapshot } from '../kb/store';
import { isEnabled, type ActionHint, type KbHint } from '../kb/types';
import { checkpointKey, checkpointPath, loadCheckpoint, saveCheckpoint, CHECKPOINT_VERSION, type ReflectionCheckpoint } from './checkpoint';
import { checkEffectiveness, checkRedundancy, leakedTitle, sessionLeakIndex, textRedundancy } from './checks';
import { reflectionMessages, type PromptWords } from './prompts';
import { splitHints } from './splitHints';
import {
  emptyRejectCounts,
  type CandidateRecord,
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
}

/** The seeded order in which training sessions are drawn (the same for every run with the seed). */
export function reflectionOrder(train: Session[], seed: number): Session[] {
  return Rng.derive(seed, 'reflection-sessions').shuffle(train.slice());
}

function usageTotals(u: UsageStats): UsageTotals {
  return { calls: u.calls, cacheHits: u.cacheHits, tokens: u.promptTokens + u.completionTokens, cost: u.cost };
}

/** Costs are kept to 1e-9 so sums do not depend on how a run was split into resumed parts. */
const money = (x: number): number => Math.round(x * 1e9) / 1e9;

function minus(a: UsageTotals, b: UsageTotals): UsageTotals {
  return { calls: a.calls - b.calls, cacheHits: a.cacheHits - b.cacheHits, tokens: a.tokens - b.tokens, cost: money(a.cost - b.cost) };
}

function plus(a: UsageTotals, b: UsageTotals): UsageTotals {
  return { calls: a.calls + b.calls, cacheHits: a.cacheHits + b.cacheHits, tokens: a.tokens + b.tokens, cost: money(a.cost + b.cost) };
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
  let lastUsage = runStart;
  const thisRun = (): UsageTotals => minus(usageTotals(client.usage()), runStart);
  const checkpoint = async (): Promise<void> => {
    const now = usageTotals(client.usage());
    cp.usage = plus(cp.usage, minus(now, lastUsage));
    lastUsage = now;
    cp.updatedAt = new Date(clock.now()).toISOString();
    await saveCheckpoint(runDir, cp);
  };

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
    await checkpoint();
  };
  await flush();

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

  let stopReason: StopReason;
  for (;;) {
    if (signal?.aborted) {
      stopReason = 'cancelled';
      break;
    }
    snap = await loadKbFile(kbPath, dataset.name, { maxHintChars: config.reflection.maxHintChars }); // the user's current version
    if (kbSize() >= r.targetHints) {
      stopReason = 'target';
      break;
    }
    if (cp.sessions.length >= limit) {
      stopReason = limit < order.length ? 'maxSessions' : 'exhausted';
      break;
    }
    const spent = plus(cp.usage, minus(usageTotals(client.usage()), lastUsage));
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
    let record: SessionRecord;
    try {
      record = await reflectOnSession({ ctx, words, session, index, snap, cp, signal, targetHints: r.targetHints });
    } catch (err) {
      if (signal?.aborted) {
        stopReason = 'cancelled';
        break;
      }
      if (!isRecordableFailure(err)) throw err;
      // Failures are data: skip the session (nothing accepted from it) and count it.
      record = { index, sessionId: session.id, baseRank: null, error: false, candidates: [], failure: { kind: err.kind, message: err.message } };
      logger.log('warn', `reflection: session ${session.id} skipped: ${err.message}`);
    }
    const createdAt = new Date(clock.now()).toISOString();
    for (const c of record.candidates) {
      if (c.verdict !== 'accepted') continue;
      cp.accepted.push({ id: c.id, text: c.text, session: session.id, createdAt, rankBefore: record.baseRank, rankAfter: c.rankAfter ?? null, saved: false });
      lastHint = c.text;
      logger.log('info', `reflection: accepted ${c.id} from ${session.id}: ${c.text}`);
    }
    cp.sessions.push(record);
    sessionsThisRun++;
    // Checkpoint first (accepted hints marked unsaved), then the KB, then mark them saved: a crash
    // in between re-writes them on resume instead of losing or duplicating them.
    await checkpoint();
    await flush();
    logger.log('debug', `reflection: session ${index + 1}/${limit} ${session.id}: ${record.error ? `error session, ${record.candidates.length} candidate(s)` : `target at rank ${record.baseRank}, skipped`}`);
    progress();
  }

  await checkpoint();
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
    kbSize: kbSize(),
    resumed,
    acceptedHints: cp.accepted.map((a) => ({ id: a.id, text: a.text, session: a.session })),
    mergeSkipped,
  };
  logger.log('info', `reflection: stopped (${stopReason}) after ${summary.sessionsTried} session(s); KB ${kbPath} holds ${summary.kbSize} hint(s)`);
  return summary;
}

interface SessionInput {
  ctx: RankContext;
  words: PromptWords;
  session: Session;
  index: number;
  snap: KbSnapshot;
  cp: ReflectionCheckpoint;
  signal?: AbortSignal;
  targetHints: number;
}

/** One session: base answer, and for an error session the conversation and the checks. */
async function reflectOnSession(inp: SessionInput): Promise<SessionRecord> {
  const { ctx, words, session, index, snap, cp, signal } = inp;
  const { config, dataset, client } = ctx;
  const topK = config.prompt.topK;
  const base = await rankSession(ctx, session, undefined, signal);
  const baseRank = base.parsed.targetRank;
  const error = baseRank === null || baseRank > topK;
  const record: SessionRecord = { index, sessionId: session.id, baseRank, error, candidates: [] };
  if (!error) return record;

  const basePrompt = buildRankPrompt(dataset, session, rankPromptOptions(config)).messages;
  const targetTitle = titleOf(dataset, session.target);
  const answers = [base.answer];
  for (let turn = 1; turn <= 3; turn++) {
    const res = await client.chat({ messages: reflectionMessages(basePrompt, answers, words, targetTitle, topK), purpose: 'reflect' }, signal);
    answers.push(res.text);
  }

  // Everything a candidate must not repeat: the KB as it is now (enabled or not), and hints this
  // run accepted before that the user has since deleted (deletions win: they are not re-added).
  const kbNow: ActionHint[] = snap.kb.hints.map((h) => ({ id: h.id, text: h.text }));
  const kbIds = new Set(kbNow.map((h) => h.id));
  const deleted: ActionHint[] = cp.accepted.filter((a) => !kbIds.has(a.id)).map((a) => ({ id: a.id, text: a.text }));
  const leak = sessionLeakIndex(dataset, session);
  const seen: ActionHint[] = [];

  const pending: CandidateRecord[] = [];
  for (const text of splitHints(answers[3]!).hints) {
    const c: CandidateRecord = { id: hintIdFor(text), text, verdict: 'skipped' };
    record.candidates.push(c);
    if (!/[\p{L}\p{N}]/u.test(text)) {
      c.verdict = 'empty';
      continue;
    }
    if (text.length > config.reflection.maxHintChars) {
      c.verdict = 'overlong';
      continue;
    }
    const leaked = leakedTitle(text, leak);
    if (leaked !== undefined) {
      c.verdict = 'leak';
      c.leakTitle = leaked;
      continue;
    }
    const dup = textRedundancy(text, [...kbNow, ...deleted, ...seen]);
    seen.push({ id: c.id, text });
    if (dup) {
      c.verdict = 'redundant';
      c.redundantWith = dup.redundantWith;
      c.redundancyBy = 'text';
      continue;
    }
    pending.push(c);
  }

  // Effectiveness: independent fresh conversations, so they can run side by side.
  await Promise.all(
    pending.map(async (c) => {
      const e = await checkEffectiveness(ctx, session, c.text, baseRank, signal);
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
