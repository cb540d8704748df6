/**
 * Runs the KB-free part of many reflection sessions at once (sessionSteps.ts), ahead of the
 * in-order acceptance that runReflection does. Two ways to send a session's requests:
 *
 *   online  each request goes out as soon as its session needs it. Sessions are opened in the
 *           seeded order while fewer than the client's in-flight limit are in flight, so the pipe
 *           stays full and the earliest sessions (the next to be accepted) are never queued
 *           behind many later ones.
 *   rounds  (llm.executor=batch) a group of sessions is opened at once and their requests are
 *           held until every open session waits on one: that round (all base answers, then each
 *           turn, then the effectiveness checks) is handed to `fillRound` (the Batch API) as one
 *           plan, and the sessions then read their answers from the cache. The redundancy
 *           questions acceptance will ask are rounds too (`fillAhead`, see runReflection).
 *
 * Which sessions run ahead, and when their answers arrive, changes the calls made, never the KB:
 * acceptance happens later, in order.
 */
import type { ChatRequest, ChatResult, LlmClient } from '../llm/types';
import type { PaidAnswer } from '../llm/paidAhead';
import { chatCost, type Prices } from '../llm/prices';
import { isRecordableFailure } from '../llm/client';
import { callsLeftWhenPrepared, CheckNotNeeded, SessionClient, type PreparedSession } from './sessionSteps';
import type { SessionSpend } from './budgetGate';
import { lowerBound } from '../util/sorted';

export type Outcome = { ok: true; value: PreparedSession } | { ok: false; error: unknown };

/** Thrown to a session that ran ahead once the run has stopped: it is not kept. */
class StoppedError extends Error {
  constructor() {
    super('reflection stopped');
    this.name = 'StoppedError';
  }
}

export interface PipelineOptions {
  client: LlmClient;
  prices: Prices;
  /** Sessions that may be opened: indices below this. */
  limit: number;
  /** The KB-free part of session `index`, through the given client. */
  prepare: (index: number, client: SessionClient) => Promise<PreparedSession>;
  /** The client's in-flight limit now (adapts to 429s): how far sessions are opened ahead. */
  concurrency: () => number;
  /**
   * Requests worth sending at once now (default: `concurrency`): the limit plus the requests
   * waiting to retry (`clientWidth`), so a backoff wait does not hold a slot here.
   */
  width?: () => number;
  /** Subscribes to "the width grew" (a request started waiting to retry); returns the unsubscribe. */
  onWiden?: (listener: () => void) => () => void;
  /** Most sessions worth opening past the head (about what the target still needs). */
  aheadLimit?: () => number;
  /** False once work on session `index`, ahead of the head, would pass a budget (budgetGate.ts). */
  mayRunAhead: (index: number) => boolean;
  /**
   * Rounds mode: fills a round's requests into the response cache (null: online), and says what
   * it paid for (the lines not in the cache before), so budgets see a round's spend.
   */
  fillRound?: (requests: ChatRequest[], signal?: AbortSignal) => Promise<PaidAnswer[] | void>;
  /** Rounds mode: how many sessions a group opens from the given index. */
  groupSize?: (index: number) => number;
  /** Rounds mode: an answer a round filled (the executor paid for it, not the client). */
  roundAnswer?: (res: ChatResult) => void;
  /** A session's KB-free part is done (runReflection then asks ahead what acceptance will ask). */
  onPrepared?: () => void;
  signal?: AbortSignal;
}

interface Task {
  promise: Promise<Outcome>;
  client: SessionClient;
  settled: boolean;
  outcome?: Outcome;
}

/** A request waiting for a slot (earliest session first). */
interface Waiter {
  prio: number;
  seq: number;
  go: () => void;
  signal: AbortSignal | undefined;
}

interface Held {
  req: ChatRequest;
  index: number;
  signal?: AbortSignal;
  resolve: (r: ChatResult) => void;
  reject: (e: unknown) => void;
}

export class SessionPipeline {
  private readonly tasks = new Map<number, Task>();
  /** Next index to open. */
  private next: number;
  /** Index the run accepts next: sessions run at most `maxAhead` past it. */
  private head: number;
  private inFlight = 0;
  private stopping = false;
  private readonly held: Held[] = [];
  private flushing = false;
  private checkQueued = false;
  /** Rounds filled (rounds mode). */
  rounds = 0;

  private readonly unsubscribe: (() => void) | undefined;
  /** One abort listener per signal that has requests waiting, however many wait on it. */
  private readonly listening = new Map<AbortSignal, { waiting: number; onAbort: () => void }>();

  constructor(private readonly o: PipelineOptions, first: number) {
    this.next = first;
    this.head = first;
    this.unsubscribe = o.onWiden?.(() => {
      this.drain();
      this.pump();
    });
  }

  /** Session `index` prepared (opening it and, as the mode allows, sessions after it). */
  async take(index: number): Promise<{ outcome: Outcome; client: SessionClient }> {
    this.head = index;
    if (this.o.fillRound) this.openGroup(index);
    else if (!this.tasks.has(index)) {
      this.next = Math.max(this.next, index);
      if (this.next === index) this.open(this.next++);
    }
    this.pump();
    let t = this.tasks.get(index)!;
    let outcome = await t.promise;
    // Stopped while running ahead (a budget was near): prepared again now, from the cache so far.
    while (!outcome.ok && outcome.error instanceof StoppedError && !this.stopping) {
      // Unless pump opened it again meanwhile (reopenStopped): then that run is awaited.
      if (this.tasks.get(index) === t) this.open(index);
      t = this.tasks.get(index)!;
      outcome = await t.promise;
    }
    this.tasks.delete(index);
    this.taken = { index, outcome };
    for (const i of this.spends.keys()) if (i < index) this.spends.delete(i);
    // Acceptance's requests are not held for a round: online they go out at once; in rounds mode
    // its redundancy questions were filled ahead (fillAhead) and come from the cache.
    t.client.send = (req, signal) => this.online(req, signal, undefined, false, index);
    return { outcome, client: t.client };
  }

  /** The session last taken (being accepted): still peekable, so work ahead can start from it. */
  private taken: { index: number; outcome: Outcome } | undefined;

  /** Session `index` if its KB-free part is done, without waiting. */
  peek(index: number): PreparedSession | undefined {
    const o = this.taken?.index === index ? this.taken.outcome : this.tasks.get(index)?.outcome;
    return o?.ok ? o.value : undefined;
  }

  /**
   * Sends a request ahead of the acceptance that will ask it (online only; its answer lands in
   * the cache, or joins acceptance's identical request in flight). Failures are left to that
   * request. Resolves with the answer, or undefined when the request failed or was not sent.
   */
  fire(req: ChatRequest, index: number): Promise<ChatResult | undefined> {
    if (this.stopping || this.o.fillRound || (index !== this.head && !this.o.mayRunAhead(index))) return Promise.resolve(undefined);
    const p = this.online(req, this.o.signal, index, true).then((res) => res, () => undefined);
    this.fired.add(p);
    void p.finally(() => this.fired.delete(p));
    return p;
  }

  private readonly fired = new Set<Promise<ChatResult | undefined>>();

  /** No more sessions: the ones running ahead stop at their next request; waits for those in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    for (const h of this.held.splice(0)) h.reject(new StoppedError());
    await Promise.all([...this.tasks.values()].map((t) => t.promise));
    await Promise.all([...this.fired]);
    this.tasks.clear();
  }

  /**
   * Sessions open past the head: enough to fill the pipe (four per slot: most wait for their turn
   * to be accepted), no more than the target needs (`aheadLimit`, from the acceptance rate the
   * replays see; before ten sessions are known, sessionsBeforeRate). At c = 64 a fixed
   * window of 64 left the pipe at 30-55 of 64 in flight, held by prepared sessions waiting for a
   * slow one at the head (bench/stageBench.ts, hetrec-mini).
   */
  private maxAhead(): number {
    const c = this.o.concurrency();
    return Math.max(2, Math.min(4 * c, this.o.aheadLimit?.() ?? Infinity));
  }

  /** A request of a session after the head's, made by the session itself (not one fired ahead for acceptance). */
  private runsAhead(index: number | undefined, fired: boolean): index is number {
    return !fired && index !== undefined && index !== this.head;
  }

  /**
   * Session `index` lies past what the target is now expected to need (`aheadLimit` shrinks as
   * the replays see the target coming): a session opened earlier, when less was known, stops at
   * its next request instead of paying for turns the run will most likely not keep (what it was
   * answered is in the cache, should acceptance reach it after all). At c = 64 on hetrec-mini this
   * cut reflection's calls from 536 to 488, and its wall time with them (bench/stageBench.ts).
   */
  private pastNeed(index: number): boolean {
    return index - this.head >= Math.max(2, this.o.aheadLimit?.() ?? Infinity);
  }

  /**
   * Online: sessions past the head that stopped ahead (pastNeed, or the budget gate), in index
   * order. Each is opened again (from the cache so far) once it is within reach again, before any
   * new session. Left to acceptance, each was prepared again only when the head reached it, one
   * session at a time: on hetrec-mini at c = 256 the last ~100 requests of the run went out one by
   * one, 20 s for what c = 128 did in 4 s (aheadLimit had grown, then shrunk).
   */
  private readonly stopped: number[] = [];

  /** Entries the head has passed, or whose session was opened again meanwhile, reopenStopped drops. */
  private noteStopped(index: number): void {
    if (this.o.fillRound || this.stopping) return;
    const at = lowerBound(this.stopped, index);
    if (this.stopped[at] !== index) this.stopped.splice(at, 0, index);
    this.pump();
  }

  private reopenStopped(): void {
    while (!this.stopping && this.stopped.length && this.inFlight < this.width()) {
      const i = this.stopped[0]!;
      // The head's own is opened again by take(); one a run already replaced is not stopped.
      if (i <= this.head || !this.stoppedAhead(i)) {
        this.stopped.shift();
        continue;
      }
      if (i - this.head >= this.maxAhead() || this.pastNeed(i) || !this.o.mayRunAhead(i)) return;
      this.stopped.shift();
      this.open(i);
    }
  }

  private pump(): void {
    if (this.o.fillRound) return;
    this.reopenStopped();
    while (
      !this.stopping && this.next < this.o.limit && this.inFlight < this.width() &&
      this.next - this.head < this.maxAhead() && this.o.mayRunAhead(this.next)
    ) {
      this.open(this.next++);
    }
  }

  private open(index: number): void {
    const client = new SessionClient(this.o.client, (req, signal, stillNeeded) => (this.o.fillRound ? this.hold(req, index, signal) : this.online(req, signal, index, false, index, stillNeeded)), this.o.prices);
    const task: Task = { client, settled: false, promise: Promise.resolve({ ok: false, error: new StoppedError() }) };
    task.promise = this.o.prepare(index, client).then(
      (value): Outcome => ({ ok: true, value }),
      (error: unknown): Outcome => ({ ok: false, error }),
    ).then((outcome) => {
      task.settled = true;
      task.outcome = outcome;
      if (outcome.ok) {
        const spend = this.spendOf(index);
        spend.left = callsLeftWhenPrepared(outcome.value);
        spend.error = outcome.value.error;
      }
      this.scheduleCheck();
      if (outcome.ok) this.o.onPrepared?.();
      else if (outcome.error instanceof StoppedError) this.noteStopped(index);
      return outcome;
    });
    this.tasks.set(index, task);
  }

  /**
   * `index`: the session asking (none: the acceptance under way, first of all); one running ahead
   * stops once a budget leaves no room for it. At most the in-flight limit go to the client at
   * once, the earliest session first: the next to be accepted never queues behind work ahead.
   */
  private async online(req: ChatRequest, signal?: AbortSignal, index?: number, fired = false, charged = index, stillNeeded?: () => boolean): Promise<ChatResult> {
    if (this.stopping || (this.runsAhead(index, fired) && (this.pastNeed(index) || !this.o.mayRunAhead(index)))) throw new StoppedError();
    const spend = charged === undefined ? undefined : this.spendOf(charged);
    this.inFlight++;
    if (spend) spend.pending++;
    await this.slot(index ?? -1, signal);
    try {
      // Asked again once the slot is there: work ahead waits longest for one (the earliest
      // session goes first), and by then the replays may have put it past what the target needs.
      if (this.runsAhead(index, fired) && this.pastNeed(index)) throw new StoppedError();
      if (stillNeeded && !stillNeeded()) throw new CheckNotNeeded();
      const res = await this.o.client.chat(req, signal);
      if (spend && !res.cached) {
        spend.calls++;
        spend.cost += chatCost(this.o.prices, res.promptTokens, res.completionTokens);
      }
      return res;
    } finally {
      if (spend) spend.pending--;
      this.release();
      this.inFlight--;
      this.pump();
    }
  }

  /** What each session not yet accepted spent this run (online), by index. */
  private readonly spends = new Map<number, SessionSpend>();

  private spendOf(index: number): SessionSpend {
    let s = this.spends.get(index);
    if (!s) this.spends.set(index, (s = { calls: 0, cost: 0, pending: 0 }));
    return s;
  }

  /** The session opened next: the open ones are those from the head up to it. */
  nextToOpen(): number {
    return this.next;
  }

  /** Slots no request holds or waits for: what work asked ahead can have without delaying any. */
  idleSlots(): number {
    return this.queue.length ? 0 : Math.max(0, this.width() - this.sending);
  }

  /** Requests in flight or waiting for a slot, every session's. */
  pendingRequests(): number {
    return this.inFlight + this.inRound;
  }

  /** Rounds mode: requests admitted to the round being filled. */
  private inRound = 0;

  /** The spend of the sessions from `from` up to `to` (not included) that have one. */
  spentBetween(from: number, to: number): SessionSpend[] {
    const out: SessionSpend[] = [];
    for (const [i, s] of this.spends) if (i >= from && i < to) out.push(s);
    return out;
  }

  private sending = 0;
  private seq = 0;
  private readonly queue: Waiter[] = [];

  private slot(prio: number, signal?: AbortSignal): Promise<void> {
    if (this.sending < this.width() && this.queue.length === 0) {
      this.sending++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const w: Waiter = { prio, seq: this.seq++, go: resolve, signal };
      let i = this.queue.findIndex((q) => q.prio > prio || (q.prio === prio && q.seq > w.seq));
      if (i < 0) i = this.queue.length;
      this.queue.splice(i, 0, w);
      if (!signal) return;
      // Every waiter on a signal shares its one listener, removed when the last has its slot.
      let l = this.listening.get(signal);
      if (!l) {
        l = { waiting: 0, onAbort: () => this.cancelWaiting(signal) };
        this.listening.set(signal, l);
        signal.addEventListener('abort', l.onAbort, { once: true });
      }
      l.waiting++;
      const listener = l;
      w.go = () => {
        if (--listener.waiting === 0) {
          signal.removeEventListener('abort', listener.onAbort);
          this.listening.delete(signal);
        }
        resolve();
      };
    });
  }

  /** Cancelled while waiting: sent at once, where the client fails them as cancelled. */
  private cancelWaiting(signal: AbortSignal): void {
    for (const w of this.queue.filter((q) => q.signal === signal)) {
      this.queue.splice(this.queue.indexOf(w), 1);
      this.sending++;
      w.go();
    }
  }

  private width(): number {
    return this.o.width?.() ?? this.o.concurrency();
  }

  /** Sends what the width now has room for (after a release, or when a request starts to back off). */
  private drain(): void {
    while (this.sending < this.width() && this.queue.length) {
      this.sending++;
      this.queue.shift()!.go();
    }
  }

  private release(): void {
    this.sending--;
    this.drain();
  }

  // ---- rounds mode ----

  /**
   * Opens the group from `index` (when the head reaches the end of the last one), and opens
   * again the sessions in it that a budget stopped: the next round has them all, instead of one
   * session at a time once a budget has been near.
   */
  private openGroup(index: number): void {
    if (this.tasks.has(index) && !this.stoppedAhead(index)) return;
    const end = Math.min(this.o.limit, index + Math.max(1, this.o.groupSize?.(index) ?? 1));
    for (let i = index; i < end; i++) if (!this.tasks.has(i) || this.stoppedAhead(i)) this.open(i);
    this.next = Math.max(this.next, end);
  }

  private stoppedAhead(index: number): boolean {
    const o = this.tasks.get(index)?.outcome;
    return o !== undefined && !o.ok && o.error instanceof StoppedError;
  }

  /**
   * Rounds mode: which requests go into a round, in session order. The head's always do; a
   * session's after it only while the budget gate leaves room (mayRunAhead), each admitted request
   * counted as pending for the next: without this a first round of 16 sessions under
   * --max-cost 0.001 paid 0.034 (test/core/reflect/concurrentReflection.test.ts). A session
   * left out stops, and is opened again when acceptance reaches its group.
   */
  private admit<T extends { index: number }>(items: T[]): T[] {
    const order = items.map((it, i) => ({ it, i })).sort((a, b) => a.it.index - b.it.index || a.i - b.i);
    const admitted: T[] = [];
    for (const { it } of order) {
      if (this.stopping || (it.index !== this.head && !this.o.mayRunAhead(it.index))) continue;
      admitted.push(it);
      this.spendOf(it.index).pending++;
      this.inRound++;
    }
    return admitted;
  }

  /** Rounds mode: an admitted request's answer read back (or failed): what it cost its session. */
  private settleRound(index: number, res: ChatResult | undefined, paid: Map<string, PaidAnswer>): void {
    const spend = this.spendOf(index);
    spend.pending--;
    this.inRound--;
    if (!res) return;
    const line = paid.get(res.key);
    if (line) {
      spend.calls++;
      spend.cost += line.cost;
    } else if (!res.cached) {
      spend.calls++;
      spend.cost += chatCost(this.o.prices, res.promptTokens, res.completionTokens);
    }
  }

  private hold(req: ChatRequest, index: number, signal?: AbortSignal): Promise<ChatResult> {
    if (this.stopping) return Promise.reject(new StoppedError());
    return new Promise<ChatResult>((resolve, reject) => {
      this.held.push({ req, index, ...(signal ? { signal } : {}), resolve, reject });
      this.scheduleCheck();
    });
  }

  /** After the current microtasks: every open session waits on a request, or is done. */
  private scheduleCheck(): void {
    if (!this.o.fillRound || this.checkQueued) return;
    this.checkQueued = true;
    setImmediate(() => {
      this.checkQueued = false;
      if (this.flushing || this.held.length === 0) return;
      const waiting = new Set(this.held.map((h) => h.index));
      const open = [...this.tasks.entries()].filter(([, t]) => !t.settled).map(([i]) => i);
      if (open.every((i) => waiting.has(i))) void this.flush();
    });
  }

  /**
   * One fill at a time: a round of the sessions and a round asked ahead of acceptance may be
   * ready together, and two fills at once would contend for the executor (the batch executor's
   * lock on batches.json).
   */
  private fills: Promise<unknown> = Promise.resolve();

  private fill(requests: ChatRequest[]): Promise<Map<string, PaidAnswer>> {
    const run = this.fills.then(() => this.o.fillRound!(requests, this.o.signal));
    this.fills = run.catch(() => undefined);
    return run.then((paid) => new Map((paid ?? []).map((p) => [p.key, p])));
  }

  /**
   * Rounds mode: requests asked ahead of the acceptance that will send them (the redundancy
   * questions runReflection's replay predicts), filled as one round like the sessions' rounds and
   * read back through the client (from the cache; a line the executor could not fill is asked
   * online there). An answer that failed for good, or a question the budget gate left out
   * (admit), is undefined: acceptance asks it itself.
   */
  async fillAhead(asked: { req: ChatRequest; index: number }[]): Promise<(ChatResult | undefined)[]> {
    const items = asked.map((a, at) => ({ ...a, at, ...(this.o.signal ? { signal: this.o.signal } : {}) }));
    const answers = new Array<ChatResult | undefined>(asked.length);
    let unrecorded: { error: unknown } | undefined;
    await this.fillAndRead(this.admit(items), (it, res, err) => {
      answers[it.at] = res;
      if (!res && !isRecordableFailure(err)) unrecorded ??= { error: err };
    });
    if (unrecorded) throw unrecorded.error;
    return answers;
  }

  /**
   * Fills one round of admitted requests and reads each answer back through the client (from the
   * cache; a line the executor could not fill is asked online there, and recorded as a failure
   * if it fails for good), charging it to its session (settleRound). `onRead` gets each answer,
   * or its failure, as it arrives. When the fill itself fails, every request is settled and the
   * error thrown.
   */
  private async fillAndRead<T extends { req: ChatRequest; index: number; signal?: AbortSignal }>(round: T[], onRead: (item: T, res: ChatResult | undefined, err?: unknown) => void): Promise<void> {
    if (!round.length) return;
    this.rounds++;
    let paid: Map<string, PaidAnswer>;
    try {
      paid = await this.fill(round.map((it) => it.req));
    } catch (err) {
      for (const it of round) this.settleRound(it.index, undefined, new Map());
      throw err;
    }
    await Promise.all(
      round.map((it) =>
        this.o.client.chat(it.req, it.signal).then(
          (res) => {
            this.settleRound(it.index, res, paid);
            this.o.roundAnswer?.(res);
            onRead(it, res);
          },
          (err: unknown) => {
            this.settleRound(it.index, undefined, paid);
            onRead(it, undefined, err);
          },
        ),
      ),
    );
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    const held = this.held.splice(0);
    const round = this.admit(held);
    const kept = new Set(round);
    for (const h of held) if (!kept.has(h)) h.reject(new StoppedError());
    try {
      await this.fillAndRead(round, (h, res, err) => (res ? h.resolve(res) : h.reject(err)));
    } catch (err) {
      for (const h of round) h.reject(err);
    } finally {
      this.flushing = false;
      this.scheduleCheck();
    }
  }
}
