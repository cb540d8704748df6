/** Shapes shared by the reflection run, its checkpoint, the CLI and the extension. */

/** Why a candidate hint was not added to the KB. */
type RejectReason = 'ineffective' | 'leak' | 'redundant' | 'empty' | 'overlong';

export type RejectCounts = Record<RejectReason, number>;

export function emptyRejectCounts(): RejectCounts {
  return { ineffective: 0, leak: 0, redundant: 0, empty: 0, overlong: 0 };
}

/** One candidate hint and what the checks found. */
export interface CandidateRecord {
  /** Stable id the hint gets if accepted (from its text). */
  id: string;
  text: string;
  /** 'skipped': the KB reached its target size before this candidate was checked. */
  verdict: 'accepted' | RejectReason | 'skipped';
  /** Target rank with the hint (null: not in the answer); absent when not checked. */
  rankAfter?: number | null;
  effective?: boolean;
  /** KB hint id it repeats; how that was decided. */
  redundantWith?: string | null;
  redundancyBy?: 'text' | 'llm' | 'embedding';
  /** Cosine similarity to the closest KB hint (embedding mode). */
  similarity?: number;
  /** Title the hint names (leak). */
  leakTitle?: string;
}

/** One training session drawn for reflection. */
export interface SessionRecord {
  /** Position in the seeded draw (0-based). */
  index: number;
  sessionId: string;
  /** Target rank in the base answer (null: not listed). */
  baseRank: number | null;
  /** True when the target was missing from the base top K (only then does reflection run). */
  error: boolean;
  candidates: CandidateRecord[];
  /**
   * An LLM request of this session failed for good: the session is skipped (no candidate
   * accepted from it) and counted in `failedSessions`; a run with a fresh checkpoint asks again.
   */
  failure?: { kind: string; message: string };
  /**
   * What this session's own requests cost (answers not from the cache). Budgets are charged with
   * these, not with requests made ahead for sessions a run never kept, so where a run stops does
   * not depend on timing.
   */
  usage?: SessionUsage;
}

export interface SessionUsage {
  calls: number;
  tokens: number;
  cost: number;
}

export interface AcceptedHint {
  id: string;
  text: string;
  session: string;
  createdAt: string;
  rankBefore: number | null;
  rankAfter: number | null;
  /** Written to the KB file (false between the checkpoint and the KB write: redone on resume). */
  saved: boolean;
}

export interface UsageTotals {
  calls: number;
  cacheHits: number;
  tokens: number;
  cost: number;
}

export interface ReflectionProgress {
  /** Sessions tried so far (1-based count after a session; 0 at the start). */
  sessionIndex: number;
  /** Sessions that may be drawn (min(maxSessions, training sessions)). */
  sessions: number;
  /** Hints accepted so far, over every run of this checkpoint. */
  accepted: number;
  rejected: RejectCounts;
  /** Calls, cache hits, tokens and cost of this run (not counting earlier runs). */
  calls: number;
  cacheHits: number;
  tokens: number;
  cost: number;
  /** Enabled hints in the KB now. */
  kbSize: number;
  targetHints: number;
  /** The most recently accepted hint. */
  lastHint?: string;
  /** Sessions skipped because an LLM request failed for good (over every run of this checkpoint). */
  failedSessions?: number;
  /** LLM client: attempts retried, requests failed for good, current in-flight limit. */
  retries?: number;
  failures?: number;
  concurrencyLimit?: number;
}

export type StopReason = 'target' | 'maxCalls' | 'maxCost' | 'maxSessions' | 'exhausted' | 'cancelled';

export interface ReflectionSummary {
  kbPath: string;
  runDir: string;
  stopReason: StopReason;
  /** Totals over every run of this checkpoint. */
  sessionsTried: number;
  errorSessions: number;
  /** Sessions skipped because an LLM request failed for good. */
  failedSessions: number;
  proposed: number;
  accepted: number;
  rejected: RejectCounts;
  /** This run only. */
  thisRun: UsageTotals & { sessions: number; wallMs: number };
  /** Every run of this checkpoint together (requests made ahead for sessions not kept included). */
  total: UsageTotals;
  /** Calls charged to the sessions kept, over every run of this checkpoint (what budgets count). */
  keptCalls: number;
  /** Enabled hints in the KB at the end. */
  kbSize: number;
  /** True when this run continued a checkpoint. */
  resumed: boolean;
  acceptedHints: { id: string; text: string; session: string }[];
  /** Our hints the merge with a hand-edited KB did not write, and why. */
  mergeSkipped: { id: string; reason: string }[];
}
