/**
 * The curves panel's view model (no DOM, no chart.js): one metric's points per run, TensorBoard's
 * debiased exponential moving average, and which points a log scale cannot draw.
 */
import type { CurveMetric, RunCurve } from '../../src/protocol/curves';

export interface XY {
  x: number;
  y: number;
}

/** The run's points that record `metric` (validation reward only exists at validation points), by step. */
export function seriesOf(run: RunCurve, metric: CurveMetric): XY[] {
  const out: XY[] = [];
  for (const p of run.points) {
    const y = p[metric];
    if (typeof y === 'number' && Number.isFinite(y) && Number.isFinite(p.step)) out.push({ x: p.step, y });
  }
  return out.sort((a, b) => a.x - b.x);
}

/**
 * TensorBoard's smoothing: an EMA with weight `w` in [0, 1), debiased by 1 - w^n so the first
 * points are not pulled towards 0. w = 0 returns the values unchanged.
 */
export function smooth(points: XY[], w: number): XY[] {
  const weight = Math.min(Math.max(w, 0), 0.999);
  let last = 0;
  let n = 0;
  return points.map((p) => {
    n++;
    last = last * weight + (1 - weight) * p.y;
    const debias = weight === 0 ? 1 : 1 - Math.pow(weight, n);
    return { x: p.x, y: last / debias };
  });
}

/** Points a logarithmic axis cannot place (y <= 0), counted so the panel can say how many it hides. */
export function nonPositive(points: XY[]): number {
  return points.reduce((s, p) => s + (p.y <= 0 ? 1 : 0), 0);
}

/** The metrics at least one run records, in CURVE_METRICS order. */
export function availableMetrics(runs: RunCurve[], all: readonly { key: CurveMetric }[]): CurveMetric[] {
  return all.map((m) => m.key).filter((k) => runs.some((r) => seriesOf(r, k).length > 0));
}
