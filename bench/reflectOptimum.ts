/**
 * The least wall time any scheduler could take for the requests a reflection run's kept sessions
 * needed (bench/stageBench.ts, issue 15): a yardstick for the `reflect` row that, unlike
 * calls x latency / concurrency, counts the sessions' own chains of dependent requests.
 *
 * Each kept session needed a tree of requests, each waiting for the one above it: the base
 * answer; on an error session the three reflection turns (one conversation); one effectiveness
 * check per candidate checked; and under each effective candidate the non-redundancy question
 * acceptance asked (none against an empty KB, none where the text alone decided; a request sent
 * before, by this session or another, is answered from the cache and not counted). The tree leaves
 * out that a redundancy question lists the KB, so depends on every earlier session's answers: the
 * optimum below is that of a scheduler that knows every answer ahead and wastes no request, and
 * no real run can beat it.
 *
 * With every request taking one latency, the schedule is in rounds of at most `slots` requests.
 * Run backwards in time the trees are an in-forest (each request has one successor, the one it
 * waited for), where taking the deepest available requests first (Hu, 1961) is optimal for unit
 * times; a schedule reversed in time keeps its length, so this is the optimum of the trees too.
 */
import type { SessionRecord } from '../src/core/reflect/types';

/** The requests of a forest of request trees: each one's depth (its root 1) and the one it waited for. */
export interface RequestForest {
  depth: number[];
  /** Index of the request it waited for; -1 for a root (a base answer). */
  parent: number[];
}

function add(f: RequestForest, parent: number): number {
  f.depth.push(parent < 0 ? 1 : f.depth[parent]! + 1);
  f.parent.push(parent);
  return f.depth.length - 1;
}

/**
 * The request trees of a checkpoint's sessions, in order. `kbAtStart`: enabled hints in the KB
 * before the first of them (a redundancy question is asked only of a KB with a hint in it).
 * Sessions that failed are left out (what they sent is not known).
 */
export function keptRequests(sessions: readonly SessionRecord[], kbAtStart: number): RequestForest {
  const f: RequestForest = { depth: [], parent: [] };
  let kb = kbAtStart;
  // A request sent before is answered from the cache: a session's second candidate of the same
  // text, or the same hint asked about against the same KB (no hint accepted in between).
  const asked = new Set<string>();
  for (const s of sessions) {
    if (s.failure) continue;
    let last = add(f, -1);
    if (!s.error) continue;
    for (let turn = 0; turn < 3; turn++) last = add(f, last);
    const checks = new Map<string, number>();
    for (const c of s.candidates) {
      if (c.rankAfter === undefined) continue; // not checked (empty, overlong, leaked, skipped)
      let check = checks.get(c.text);
      if (check === undefined) checks.set(c.text, (check = add(f, last)));
      const question = `${kb}\n${c.text}`;
      if (c.effective === true && (c.verdict === 'accepted' ? kb > 0 : c.redundancyBy === 'llm') && !asked.has(question)) {
        asked.add(question);
        add(f, check);
      }
      if (c.verdict === 'accepted') kb++;
    }
  }
  return f;
}

/** The fewest rounds of at most `slots` requests that send every request after the one it waits for. */
export function optimumRounds(f: RequestForest, slots: number): number {
  if (!Number.isInteger(slots) || slots < 1) throw new Error(`slots must be a positive integer, got ${slots}`);
  const n = f.depth.length;
  // Backwards in time a request may go once every request that waited for it has gone.
  const waiting = new Array<number>(n).fill(0);
  for (const p of f.parent) if (p >= 0) waiting[p]!++;
  let ready: number[] = [];
  for (let i = 0; i < n; i++) if (waiting[i] === 0) ready.push(i);
  let rounds = 0;
  // In a forest every request becomes ready once: none is left when none is ready.
  for (; ready.length; rounds++) {
    ready.sort((a, b) => f.depth[b]! - f.depth[a]! || a - b);
    const now = ready.slice(0, slots);
    ready = ready.slice(slots);
    for (const i of now) {
      const p = f.parent[i]!;
      if (p >= 0 && --waiting[p]! === 0) ready.push(p);
    }
  }
  return rounds;
}
