/**
 * Messages between the host and the runs table webview (every run folder as a row: key
 * parameters and primary metrics as columns). Types and small guards only, as webview.ts.
 * Naming by direction: `command` = webview -> host, `notification` = host -> webview.
 */

/** One run folder. Absent values are runs that do not have them (a reflect folder has no metrics). */
export interface RunRow {
  id: string;
  /** The run's name, or its id. */
  name: string;
  kind: 'eval' | 'train' | 'reflect' | 'run' | 'other';
  /** ISO time of the folder's last change. */
  modified: string;
  starred: boolean;
  hidden: boolean;
  hasResults: boolean;
  trained: boolean;
  dataset?: string;
  model?: string;
  /** Enabled hints the run used (the implicit "no hint" not counted). */
  hints?: number;
  steps?: number;
  preset?: string;
  encoder?: string;
  /** Test sessions scored. */
  testSessions?: number;
  /** NDCG@10 and HR@10 of the agent and of the no-hint LLM. */
  agentNdcg10?: number;
  noHintNdcg10?: number;
  agentHr10?: number;
  /** Agent minus no-hint NDCG@10. */
  deltaNdcg10?: number;
  /** Dollars spent by the evaluation's LLM calls. */
  cost?: number;
}

/** Host -> runs table. Complete snapshots. */
export type RunsNotification = { type: 'runs/show'; rows: RunRow[] };

/** Runs table -> host. */
export type RunsCommand =
  | { type: 'runs/ready' }
  | { type: 'runs/open'; runId: string }
  | { type: 'runs/compare'; runIds: string[] }
  /** Overlay the selected runs' training curves in the curves panel. */
  | { type: 'runs/plot'; runIds: string[] }
  | { type: 'runs/star'; runId: string; starred: boolean }
  | { type: 'runs/hide'; runIds: string[]; hidden: boolean }
  | { type: 'runs/delete'; runIds: string[] };

const MAX_IDS = 500;

function ids(v: unknown): string[] | undefined {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_IDS) return undefined;
  return v.every((x) => typeof x === 'string' && isRunId(x)) ? (v as string[]) : undefined;
}

/** A run folder name: no path separators or parent references (ids come from untrusted input). */
export function isRunId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length < 256 && !/[\\/]/.test(v) && v !== '.' && v !== '..';
}

/** Checks a message from the runs table; returns it typed, or undefined if malformed. */
export function asRunsCommand(msg: unknown): RunsCommand | undefined {
  if (!msg || typeof msg !== 'object') return undefined;
  const m = msg as Record<string, unknown>;
  switch (m.type) {
    case 'runs/ready':
      return { type: 'runs/ready' };
    case 'runs/open':
      return isRunId(m.runId) ? { type: 'runs/open', runId: m.runId } : undefined;
    case 'runs/star':
      return isRunId(m.runId) && typeof m.starred === 'boolean' ? { type: 'runs/star', runId: m.runId, starred: m.starred } : undefined;
    case 'runs/compare':
    case 'runs/plot':
    case 'runs/delete': {
      const list = ids(m.runIds);
      return list ? { type: m.type, runIds: list } : undefined;
    }
    case 'runs/hide': {
      const list = ids(m.runIds);
      return list && typeof m.hidden === 'boolean' ? { type: 'runs/hide', runIds: list, hidden: m.hidden } : undefined;
    }
    default:
      return undefined;
  }
}
