/**
 * Sessions from interaction logs (RecBole atomic files, CSV logs): group interactions by a
 * session field when there is one, else by user and UTC calendar day; order each group by time;
 * keep groups with at least `minLength` interactions; the last item is the target and the rest
 * the history; candidates are the target plus sampled negatives. Then a seeded train/test split.
 *
 * Every random choice uses an Rng derived from the seed and the session id, so a session's
 * candidates do not change when other sessions are added or removed.
 */
import { Rng } from '../util/rng';
import { candidatePool, sampleCandidates, type CandidatePool } from './candidates';
import type { Item, Session } from './types';
import type { Re2llmConfig } from '../config/defaults';

export interface Interaction {
  /** User id (used for grouping by day when there is no session id). */
  user: string;
  /** Explicit session id, when the source has one. */
  session?: string;
  item: string;
  /** Seconds since the epoch; may be absent only when grouping by session (file order is kept). */
  time?: number;
}

export interface SessionizeOptions {
  by: 'session' | 'user-day';
  minLength: number;
  candidates: number;
  testFraction: number;
  seed: number;
}

export interface SessionizeResult {
  train: Session[];
  test: Session[];
  notes: string[];
}

export function utcDay(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

const DAY_SECONDS = 86400;

interface Group {
  /** Session id; for user-day groups built in `finish` (utcDay is costly per interaction). */
  id: string;
  user: string;
  day: number;
  /** Item ids in arrival order, and their times (NEGATIVE_INFINITY when absent). */
  items: string[];
  times: number[];
}

/**
 * Builds sessions from interactions as they stream in, keeping only what sessions need (item id
 * and time per event, grouped): memory grows with the interactions, not with the rows' text,
 * and every step is linear or n log n (one sort per group, one over the groups).
 */
export class LogSessionizer {
  private readonly groups = new Map<string, Group>();
  count = 0;

  constructor(private readonly by: 'session' | 'user-day') {}

  /** `item` should be the catalogue's own id string (so events share it instead of copies). */
  add(x: Interaction): void {
    let key: string;
    let day = 0;
    if (this.by === 'session') key = x.session ?? '';
    else {
      if (x.time === undefined) throw new Error('sessionize: grouping by user and day needs a timestamp on every interaction');
      day = Math.floor(x.time / DAY_SECONDS);
      key = `${x.user}\u0000${day}`;
    }
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { id: this.by === 'session' ? key : '', user: x.user, day, items: [], times: [] }));
    g.items.push(x.item);
    g.times.push(x.time ?? Number.NEGATIVE_INFINITY);
    this.count++;
  }

  finish(pool: CandidatePool, opts: Omit<SessionizeOptions, 'by'>): SessionizeResult {
    const all: Group[] = [...this.groups.values()];
    this.groups.clear();
    for (const g of all) {
      if (this.by === 'user-day') g.id = `${g.user}@${utcDay(g.day * DAY_SECONDS)}`;
      sortByTime(g);
    }
    // Chronological, ties by id: the order does not depend on how the file was sorted.
    all.sort((a, b) => a.times[0]! - b.times[0]! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

    const kept = all.filter((g) => g.items.length >= opts.minLength);
    const short = all.length - kept.length;
    const sessions: Session[] = kept.map((g) => {
      const items = g.items;
      const target = items[items.length - 1]!;
      const history = items.slice(0, -1);
      const rng = Rng.derive(opts.seed, `candidates/${g.id}`);
      let candidates: string[];
      try {
        candidates = sampleCandidates(target, history, pool, opts.candidates, rng);
      } catch (err) {
        throw new Error(`session ${g.id}: ${(err as Error).message}`);
      }
      return { id: g.id, history, target, candidates };
    });

    const split = Rng.derive(opts.seed, 'test-split');
    const order = split.shuffle(sessions.map((_, i) => i));
    const nTest = Math.round(sessions.length * opts.testFraction);
    const isTest = new Uint8Array(sessions.length);
    for (let i = 0; i < nTest; i++) isTest[order[i]!] = 1;
    const train = sessions.filter((_, i) => !isTest[i]);
    const test = sessions.filter((_, i) => isTest[i]);

    const grouping = this.by === 'session' ? 'by session id' : 'by user and UTC day';
    const notes = [
      `${this.count} interactions grouped ${grouping} into ${all.length} sessions; ${kept.length} have at least ${opts.minLength} interactions (dataset.minSessionLength), ${short} shorter ones left out`,
      `test split: ${test.length} of ${sessions.length} sessions (dataset.testFraction ${opts.testFraction}, seed ${opts.seed})`,
    ];
    return { train, test, notes };
  }
}

/** Stable sort of a group's events by time (ties keep arrival order); a no-op when already sorted. */
function sortByTime(g: Group): void {
  const t = g.times;
  let sorted = true;
  for (let i = 1; i < t.length && sorted; i++) if (t[i]! < t[i - 1]!) sorted = false;
  if (sorted) return;
  const idx = t.map((_, i) => i).sort((a, b) => t[a]! - t[b]! || a - b);
  g.items = idx.map((i) => g.items[i]!);
  g.times = idx.map((i) => t[i]!);
}

export function sessionize(interactions: readonly Interaction[], pool: CandidatePool, opts: SessionizeOptions): SessionizeResult {
  const s = new LogSessionizer(opts.by);
  for (const x of interactions) s.add(x);
  return s.finish(pool, opts);
}

/** The range of a JavaScript Date, in seconds: about 271,821 BCE to 275,760 CE. */
const MAX_EPOCH_SECONDS = 8.64e12;

/**
 * A timestamp cell as seconds since the epoch: a number (seconds, or milliseconds when it is
 * too large to be seconds, i.e. past the year 5000) or an ISO 8601 date. Undefined if unreadable.
 * Use `timestampProblem` for the reason.
 */
export function parseTimestamp(raw: string): number | undefined {
  const r = readTimestamp(raw);
  return typeof r === 'number' ? r : undefined;
}

/** Seconds since the epoch, or why the cell is not a usable timestamp. */
export function readTimestamp(raw: string): number | { problem: string } {
  const s = raw.trim();
  if (s === '') return { problem: 'empty timestamp' };
  if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(s)) {
    const n = Number(s);
    const seconds = Number.isFinite(n) && n > 1e11 ? n / 1000 : n;
    // Out of a Date's range, a day cannot be computed ("Invalid time value"): say so here.
    if (!Number.isFinite(seconds) || Math.abs(seconds) > MAX_EPOCH_SECONDS) return { problem: `timestamp "${s}" is out of range (seconds or milliseconds since 1970 within a date's range)` };
    return seconds;
  }
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? { problem: `timestamp "${s}" is not a number or an ISO date` } : ms / 1000;
}

/** What both log importers do: sessionize over all known items with the dataset settings. */
export function finishLog(sessionizer: LogSessionizer, items: Map<string, Item>, config: Re2llmConfig['dataset']): SessionizeResult {
  return sessionizer.finish(candidatePool(items.keys()), {
    minLength: config.minSessionLength,
    candidates: config.candidates,
    testFraction: config.testFraction,
    seed: config.seed,
  });
}
