/**
 * The history a prompt shows: the most recent `historyLimit` items, oldest first. One function,
 * used by the rank prompt and by every state encoder (and the simulator's statistics), so the
 * agent's state describes exactly what the LLM sees: a hetrec test history of 1,212 items is
 * prompted as its last 50, and the state is computed from those 50 too.
 */
import type { Session } from '../data/types';

export function promptedHistory(session: Pick<Session, 'history'>, historyLimit: number): string[] {
  if (!Number.isInteger(historyLimit) || historyLimit < 1) throw new RangeError(`historyLimit must be a positive integer, got ${historyLimit}`);
  return session.history.slice(-historyLimit);
}
