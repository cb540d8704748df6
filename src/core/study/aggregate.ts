/**
 * From the finished cells' results.json files to the study's numbers.
 *
 * - Per group (the cells that differ only in the seed), per condition and metric: the mean of
 *   the cells' test-set means, their sd and a 95% t-interval over the seeds (seedStats.ts).
 * - Per comparison and axis point: the paired difference a - b over sessions. For each seed the
 *   two sides are paired by session id (both sides of one seed score the same test sessions; for
 *   a cross-variant comparison they come from two cells with the same seed); each session's
 *   differences are averaged over the seeds that scored it, and the 95% interval is a percentile
 *   bootstrap over sessions of those averages. Seeds that share the test sessions are not
 *   independent samples: pooling their differences as if they were would narrow the interval by
 *   up to √(seeds), so the session is the unit that is resampled.
 */
import type { ResultsFile } from '../../protocol/results';
import type { ComparisonSide, StudyComparisonResult, StudyGroupResult } from '../../protocol/study';
import { bootstrapCI, metricFn, mean } from '../metrics';
import { Rng } from '../util/rng';
import { formatAxes, pointKey, type GridCell } from './grid';
import { seedEstimate } from './seedStats';
import type { LoadedStudy } from './studyFile';

export interface FinishedCell {
  cell: GridCell;
  id: string;
  results: ResultsFile;
}

export const SEED_INTERVAL_METHOD = 'mean ± sample sd over seeds; 95% Student t-interval, mean ± t(0.975, n-1)·sd/√n (none with one seed)';
export const COMPARISON_METHOD = 'per-session differences a - b paired by session id within each seed, averaged per session over the seeds; 95% percentile bootstrap over sessions of the mean';

/** Conditions in the order the cells report them. */
export function conditionsOf(cells: FinishedCell[]): string[] {
  const seen: string[] = [];
  for (const c of cells) for (const r of c.results.conditions) if (!seen.includes(r.condition)) seen.push(r.condition);
  return seen;
}

export function aggregateGroups(cells: GridCell[], finished: FinishedCell[], conditions: string[], metrics: string[]): StudyGroupResult[] {
  const byGroup = new Map<string, GridCell[]>();
  for (const c of cells) byGroup.set(c.group, [...(byGroup.get(c.group) ?? []), c]);
  const done = new Map(finished.map((f) => [f.cell.index, f]));
  return [...byGroup.entries()].map(([group, members]) => {
    const ok = members.map((m) => done.get(m.index)).filter((f): f is FinishedCell => !!f);
    const table: StudyGroupResult['metrics'] = {};
    for (const condition of conditions) {
      const rows = ok.map((f) => f.results.conditions.find((r) => r.condition === condition)).filter((r) => !!r);
      if (!rows.length) continue;
      table[condition] = Object.fromEntries(metrics.map((m) => [m, seedEstimate(rows.map((r) => r.metrics[m]?.mean).filter((v): v is number => typeof v === 'number'))]));
    }
    const first = members[0]!;
    return { id: group, label: first.groupLabel, axes: first.axes, variant: first.variant.name, cells: ok.map((f) => f.id), metrics: table };
  });
}

/** Per-session values of one metric for one condition, by session id. */
function sessionValues(results: ResultsFile, condition: string, metric: string): Map<string, number> {
  const fn = metricFn(metric);
  const out = new Map<string, number>();
  for (const s of results.sessions) {
    const o = s.byCondition[condition];
    if (o) out.set(s.sessionId, fn(o.rank));
  }
  return out;
}

export function pairedDifferences(a: ResultsFile, b: ResultsFile, sa: ComparisonSide, sb: ComparisonSide, metric: string): number[] {
  return [...pairedDifferencesById(a, b, sa, sb, metric).values()];
}

/** The same differences, keyed by session id. */
export function pairedDifferencesById(a: ResultsFile, b: ResultsFile, sa: ComparisonSide, sb: ComparisonSide, metric: string): Map<string, number> {
  const va = sessionValues(a, sa.condition, metric);
  const vb = sessionValues(b, sb.condition, metric);
  const diffs = new Map<string, number>();
  for (const [id, x] of va) {
    const y = vb.get(id);
    if (y !== undefined) diffs.set(id, x - y);
  }
  return diffs;
}

export function aggregateComparisons(study: LoadedStudy, cells: GridCell[], finished: FinishedCell[], bootstrap: number): StudyComparisonResult[] {
  const out: StudyComparisonResult[] = [];
  const find = (point: string, variant: string, seed: number | null): FinishedCell | undefined =>
    finished.find((f) => pointKey(f.cell.axes) === point && f.cell.variant.name === variant && f.cell.seed === seed);
  const points = new Map<string, Record<string, unknown>>();
  for (const c of cells) points.set(pointKey(c.axes), c.axes);
  const seeds = study.file.seeds?.values ?? [null];
  for (const cmp of study.file.comparisons ?? []) {
    const metric = cmp.metric ?? study.metrics[0]!;
    for (const variant of cmp.a.variant || cmp.b.variant ? [null] : study.variants.map((v) => v.name)) {
      const a = { condition: cmp.a.condition, variant: cmp.a.variant ?? variant ?? study.variants[0]!.name };
      const b = { condition: cmp.b.condition, variant: cmp.b.variant ?? variant ?? a.variant };
      for (const [point, axes] of points) {
        // Per session: the sum and count of its differences over the seeds that scored it.
        const bySession = new Map<string, { sum: number; n: number }>();
        let used = 0;
        for (const seed of seeds) {
          const ca = find(point, a.variant, seed);
          const cb = find(point, b.variant, seed);
          if (!ca || !cb) continue;
          const d = pairedDifferencesById(ca.results, cb.results, a, b, metric);
          if (d.size) used++;
          for (const [id, x] of d) {
            const acc = bySession.get(id) ?? { sum: 0, n: 0 };
            acc.sum += x;
            acc.n++;
            bySession.set(id, acc);
          }
        }
        const diffs = [...bySession.values()].map((v) => v.sum / v.n);
        if (!diffs.length) continue;
        const name = cmp.name ?? `${a.condition}${a.variant !== b.variant || study.variants.length > 1 ? ` (${a.variant})` : ''} vs ${b.condition}${a.variant !== b.variant || study.variants.length > 1 ? ` (${b.variant})` : ''}`;
        // One seeded stream per comparison and point, so adding a comparison does not move the others.
        const ci = bootstrapCI(diffs, Rng.derive(study.file.name, `compare/${name}/${metric}/${formatAxes(axes)}`), bootstrap);
        out.push({ name, a, b, metric, axes, diff: mean(diffs), ciLow: ci.ciLow, ciHigh: ci.ciHigh, n: diffs.length, seeds: used });
      }
    }
  }
  return out;
}
