/**
 * Messages between the host and the prompt-diff panel: for one session, the prompts and answers of
 * two conditions (two hints) of one run, or of one condition in two runs, side by side, with where
 * the target landed in each ranking. Types and small guards only, as runsTable.ts.
 */
import type { SessionDetail } from './webview';

/** One side: the recorded answer and rebuilt prompt (SessionDetail) and what it is called. */
export interface DiffSide {
  /** "agent · h05" or "eval-… · agent". */
  label: string;
  detail: SessionDetail;
}

/** Host -> prompt-diff panel. Complete snapshots. */
export type PromptDiffNotification = { type: 'diff/show'; sessionId: string; left: DiffSide; right: DiffSide };

/** Prompt-diff panel -> host. `diff/pick` asks for another pair. */
export type PromptDiffCommand = { type: 'diff/ready' } | { type: 'diff/pick' };

export function asPromptDiffCommand(msg: unknown): PromptDiffCommand | undefined {
  if (!msg || typeof msg !== 'object') return undefined;
  const t = (msg as Record<string, unknown>).type;
  return t === 'diff/ready' || t === 'diff/pick' ? { type: t } : undefined;
}

function isDetail(v: unknown): v is SessionDetail {
  const d = v as SessionDetail;
  return !!d && typeof d === 'object' && typeof d.prompt === 'string' && typeof d.answer === 'string' && Array.isArray(d.ranking) && typeof d.condition === 'string';
}

export function isPromptDiffNotification(d: unknown): d is PromptDiffNotification {
  const m = d as PromptDiffNotification;
  return !!m && typeof m === 'object' && m.type === 'diff/show' && typeof m.sessionId === 'string' && isDetail(m.left?.detail) && isDetail(m.right?.detail);
}
