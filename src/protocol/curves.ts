/**
 * Messages between the host and the training-curves panel (several runs' PPO curves overlaid,
 * TensorBoard-style). Types and small guards only, as runsTable.ts.
 * Naming by direction: `command` = webview -> host, `notification` = host -> webview.
 */
import type { TrainingPoint } from './results';

/** The per-update fields a run folder's metrics.jsonl records (TrainingPoint), in menu order. */
export const CURVE_METRICS = [
  { key: 'meanReward', label: 'Mean reward (rollout)' },
  { key: 'validationReward', label: 'Validation reward (greedy)' },
  { key: 'entropy', label: 'Policy entropy' },
  { key: 'valueLoss', label: 'Value loss' },
] as const satisfies readonly { key: keyof TrainingPoint; label: string }[];

export type CurveMetric = (typeof CURVE_METRICS)[number]['key'];

/** One run's curve: a training folder's metrics.jsonl, or the copy an evaluation kept in results.json. */
export interface RunCurve {
  runId: string;
  name: string;
  /** Where the points came from (shown on hover of the legend entry). */
  source: 'metrics.jsonl' | 'results.json';
  points: TrainingPoint[];
}

/** Host -> curves panel. Complete snapshots. `missing`: runs asked for that record no curve. */
export type CurvesNotification = { type: 'curves/show'; runs: RunCurve[]; missing: string[] };

/** Curves panel -> host. */
export type CurvesCommand = { type: 'curves/ready' } | { type: 'curves/pickRuns' };

/** Checks a message from the curves panel; returns it typed, or undefined if malformed. */
export function asCurvesCommand(msg: unknown): CurvesCommand | undefined {
  if (!msg || typeof msg !== 'object') return undefined;
  const t = (msg as Record<string, unknown>).type;
  return t === 'curves/ready' || t === 'curves/pickRuns' ? { type: t } : undefined;
}

export function isCurvesNotification(d: unknown): d is CurvesNotification {
  const m = d as CurvesNotification;
  return !!m && typeof m === 'object' && m.type === 'curves/show' && Array.isArray(m.runs) && Array.isArray(m.missing);
}
