/**
 * How many sessions reflection opens ahead of acceptance (online) or in a group (rounds mode):
 * enough to reach the KB's target at the acceptance rate seen so far, with a margin. Too few
 * leaves the slots idle near the target; too many pays for sessions the run will not keep.
 */
import type { ReflectionCheckpoint } from './checkpoint';

/**
 * Sessions a group opens in rounds mode: enough to reach the target at the acceptance rate seen
 * so far (one hint per 6 sessions before there is a rate), with a margin, at least 16.
 */
export function groupSize(cp: ReflectionCheckpoint, missing: number, limit: number): number {
  return Math.min(limit, Math.max(16, sessionsToTarget(cp, missing) ?? sessionsAtRate(missing, 1 / 6)));
}

/** Sessions a replay went through past the head, and the hints it accepted there. */
export interface Prefix {
  sessions: number;
  accepted: number;
}

/**
 * Sessions likely needed for `missing` more hints at the acceptance rate so far, with a margin.
 * The rate counts the sessions a replay went through ahead of acceptance (online): early in a run
 * they are most of what is known. Undefined while fewer than ten sessions are known: a prior of one
 * hint in six sessions opened about three times the sessions hetrec-mini's 20 hints need (online,
 * sessionsBeforeRate stands in until then).
 * `rate` 'lower' (online): the lower of the run's rate and recentRate.
 */
export function sessionsToTarget(cp: ReflectionCheckpoint, missing: number, ahead?: Prefix, rate: 'run' | 'lower' = 'run'): number | undefined {
  const seen = cp.sessions.length + (ahead?.sessions ?? 0);
  const accepted = cp.accepted.length + (ahead?.accepted ?? 0);
  if (seen < 10) return undefined;
  const recent = rate === 'lower' ? recentRate(cp, ahead) : undefined;
  return sessionsAtRate(missing, Math.max(Math.min(accepted / seen, recent ?? Infinity), 0.02));
}

/** Hints whose sessions recentRate counts. */
const RECENT_HINTS = 8;

/**
 * The acceptance rate of the sessions that brought the last RECENT_HINTS hints (those a replay
 * went through ahead included), and of the sessions since the last one; undefined over fewer
 * than ten sessions. The rate falls as the KB fills, since more candidates repeat it (the
 * simulator on the full hetrec and ml-100k folders: 0.43 and 0.34 hints per error session while
 * the KB held fewer than five hints, 0.08 and 0.02 once it held fifteen), and the whole run's
 * rate then opened too few sessions to keep the slots busy near the target. Online,
 * sessionsToTarget takes the lower of the two. At c = 64, over three draws of the error sessions
 * on each of hetrec-mini, the full hetrec folder and ml-100k-recbole (the same KBs): 42.5-43.3 s
 * of wall time in all for 9,063-9,066 calls before, 39.4 s for 9,144 after (8 hints; 5 hints:
 * 39.6 s, 9,325 calls). Not in rounds mode, where the larger groups paid 4.5% more batch lines
 * on the full hetrec folder (6% with 5 hints) for the same 14 batches.
 */
export function recentRate(cp: ReflectionCheckpoint, ahead?: Prefix): number | undefined {
  let hints = ahead?.accepted ?? 0;
  let sessions = ahead?.sessions ?? 0;
  for (let i = cp.sessions.length - 1; i >= 0 && hints < RECENT_HINTS; i--) {
    sessions++;
    hints += cp.sessions[i]!.candidates.filter((c) => c.verdict === 'accepted').length;
  }
  return sessions >= 10 ? hints / sessions : undefined;
}

/**
 * Hints a session brings early in a run, before any rate is known (online): about what sessions
 * bring while the KB is nearly empty (hetrec-mini's 20 hints took 65, 100 and 88 sessions for
 * reflection.seed 1-3, 0.20-0.31 a session, more while the KB was small; the full hetrec folder's
 * seed 3 took 134).
 */
const EARLY_RATE = 1 / 3;

/**
 * Sessions worth opening ahead of acceptance while fewer than ten are known (sessionsToTarget is
 * undefined): what `missing` hints need at the early rate, with the usual margin. A fixed 64
 * opened as many sessions for 5 hints as for 20. At c = 64 on hetrec-mini (200 ms simulator,
 * seeds 1-3): 5 hints took 301-317 calls in 1.46-1.57 s with it, 138-179 calls in 1.48-1.62 s with
 * this; for 20 hints, which need 65-134 sessions, the slots that the sessions the LLM got right
 * freed stayed idle until acceptance caught up (about a second): over the nine runs of hetrec-mini,
 * the full hetrec folder and ml-100k-recbole, 39.65 s then and 37.76 s now for the same calls
 * (9,126 and 9,124).
 */
export function sessionsBeforeRate(missing: number): number {
  return sessionsAtRate(missing, EARLY_RATE);
}

/** Sessions for `missing` more hints at `rate` hints a session, with a margin of half again. */
function sessionsAtRate(missing: number, rate: number): number {
  return Math.ceil((1.5 * Math.max(1, missing)) / rate);
}
