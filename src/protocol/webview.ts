/**
 * Messages between the extension host and its webviews (sidebar view, results panel). Types and
 * small guards only; both the host and the webview bundles import this file.
 * Naming by direction: `command` = webview -> host, `notification` = host -> webview.
 * Every message from a webview is checked on arrival by the host (it is untrusted input).
 */
import type { ResultsFile } from './results';

// ---- Results panel ---------------------------------------------------------------------------

/** Host -> results webview. Complete snapshots, never deltas. */
export type ResultsNotification =
  /** One run, or several for comparison (first is the reference). */
  | { type: 'results/show'; runs: ResultsFile[] }
  /** Live training curve while a run trains (the whole curve so far). */
  | { type: 'results/trainingCurve'; runId: string; points: import('./results').TrainingPoint[] }
  /** Answer to `results/requestSession`. */
  | { type: 'results/sessionDetail'; detail: SessionDetail };

export interface SessionDetail {
  runId: string;
  sessionId: string;
  condition: string;
  prompt: string;
  hintId?: string;
  hintText?: string;
  answer: string;
  ranking: string[];
  targetTitle: string;
  targetRank: number | null;
}

/** Results webview -> host. */
export type ResultsCommand =
  | { type: 'results/ready' }
  | { type: 'results/requestSession'; runId: string; sessionId: string; condition: string }
  | { type: 'results/openHint'; hintId: string }
  | { type: 'results/export'; runId: string; format: 'csv' | 'latex' | 'json' }
  | { type: 'results/compareRuns' };

const RESULTS_COMMANDS = new Set(['results/ready', 'results/requestSession', 'results/openHint', 'results/export', 'results/compareRuns']);

/** Checks a message from the results webview; returns it typed, or undefined if malformed. */
export function asResultsCommand(msg: unknown): ResultsCommand | undefined {
  if (!msg || typeof msg !== 'object') return undefined;
  const m = msg as Record<string, unknown>;
  if (typeof m.type !== 'string' || !RESULTS_COMMANDS.has(m.type)) return undefined;
  const str = (k: string) => typeof m[k] === 'string' && (m[k] as string).length > 0 && (m[k] as string).length < 500;
  switch (m.type) {
    case 'results/ready':
    case 'results/compareRuns':
      return { type: m.type };
    case 'results/requestSession':
      return str('runId') && str('sessionId') && str('condition') ? (m as unknown as ResultsCommand) : undefined;
    case 'results/openHint':
      return str('hintId') ? { type: 'results/openHint', hintId: m.hintId as string } : undefined;
    case 'results/export':
      return str('runId') && (m.format === 'csv' || m.format === 'latex' || m.format === 'json')
        ? { type: 'results/export', runId: m.runId as string, format: m.format }
        : undefined;
    default:
      return undefined;
  }
}

// ---- Sidebar view ------------------------------------------------------------------------------
// Defined by the extension module (SidebarNotification / SidebarCommand) below this line.
