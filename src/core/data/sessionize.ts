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

interface Group {
  id: string;
  events: Array<{ item: string; time: number; order: number }>;
}

export function sessionize(interactions: readonly Interaction[], pool: CandidatePool, opts: SessionizeOptions): SessionizeResult {
  const groups = new Map<string, Group>();
  interactions.forEach((x, order) => {
    let id: string;
    if (opts.by === 'session') id = x.session ?? '';
    else {
      if (x.time === undefined) throw new Error('sessionize: grouping by user and day needs a timestamp on every interaction');
      id = `${x.user}@${utcDay(x.time)}`;
    }
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { id, events: [] }));
    g.events.push({ item: x.item, time: x.time ?? Number.NEGATIVE_INFINITY, order });
  });

  const all: Group[] = [...groups.values()];
  for (const g of all) g.events.sort((a, b) => a.time - b.time || a.order - b.order);
  // Chronological, ties by id: the order does not depend on how the file was sorted.
  const firstTime = (g: Group): number => g.events[0]!.time;
  all.sort((a, b) => firstTime(a) - firstTime(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const kept = all.filter((g) => g.events.length >= opts.minLength);
  const short = all.length - kept.length;
  const sessions: Session[] = kept.map((g) => {
    const items = g.events.map((e) => e.item);
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
  const isTest = new Set(order.slice(0, nTest));
  const train = sessions.filter((_, i) => !isTest.has(i));
  const test = sessions.filter((_, i) => isTest.has(i));

  const grouping = opts.by === 'session' ? 'by session id' : 'by user and UTC day';
  const notes = [
    `${interactions.length} interactions grouped ${grouping} into ${all.length} sessions; ${kept.length} have at least ${opts.minLength} interactions (dataset.minSessionLength), ${short} shorter ones left out`,
    `test split: ${test.length} of ${sessions.length} sessions (dataset.testFraction ${opts.testFraction}, seed ${opts.seed})`,
  ];
  return { train, test, notes };
}

/**
 * A timestamp cell as seconds since the epoch: a number (seconds, or milliseconds when it is
 * too large to be seconds, i.e. past the year 5000) or an ISO 8601 date. Undefined if unreadable.
 */
export function parseTimestamp(raw: string): number | undefined {
  const s = raw.trim();
  if (s === '') return undefined;
  if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(s)) {
    const n = Number(s);
    if (!Number.isFinite(n)) return undefined;
    return n > 1e11 ? n / 1000 : n;
  }
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** What both log importers do: sessionize over all known items with the dataset settings. */
export function sessionizeLog(interactions: readonly Interaction[], items: Map<string, Item>, bySessionField: boolean, config: Re2llmConfig['dataset']): SessionizeResult {
  return sessionize(interactions, candidatePool(items.keys()), {
    by: bySessionField ? 'session' : 'user-day',
    minLength: config.minSessionLength,
    candidates: config.candidates,
    testFraction: config.testFraction,
    seed: config.seed,
  });
}
