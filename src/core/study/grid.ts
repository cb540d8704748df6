/**
 * The grid of a study: the Cartesian product of the axes (first axis outermost), times the
 * variants, times the seed replicates. Each cell is a list of setting overrides in the order
 * they apply (axes, then the variant, then the seeds), so a variant can pin what an axis varies
 * and a seed always wins.
 */
import type { SettingValues, StudyVariant } from '../../protocol/study';
import { hashJson } from '../util/hash';
import type { LoadedStudy } from './studyFile';

export interface GridCell {
  /** Position in the grid (axes, then variants, then seeds). */
  index: number;
  axes: Record<string, unknown>;
  variant: StudyVariant;
  /** The seed replicate's value, or null when the study varies no seed. */
  seed: number | null;
  /** Identifies the cells that differ only in the seed. */
  group: string;
  label: string;
  groupLabel: string;
  /** Settings layers in the order they apply. */
  layers: Array<{ source: string; values: SettingValues }>;
}

/** Every combination of the axes' values, first axis outermost; one empty point without axes. */
export function axisPoints(axes: Record<string, unknown[]>): Array<Record<string, unknown>> {
  let points: Array<Record<string, unknown>> = [{}];
  for (const [key, values] of Object.entries(axes)) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  }
  return points;
}

export function formatAxes(axes: Record<string, unknown>): string {
  const parts = Object.entries(axes).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.join(', ');
}

/** The key of one axis point (for lookups across variants and seeds). */
export function pointKey(axes: Record<string, unknown>): string {
  return hashJson(axes).slice(0, 12);
}

export function expandGrid(study: LoadedStudy): GridCell[] {
  const seeds = study.file.seeds;
  const seedValues: Array<number | null> = seeds ? seeds.values : [null];
  const cells: GridCell[] = [];
  for (const axes of axisPoints(study.file.axes ?? {})) {
    for (const variant of study.variants) {
      const group = hashJson({ axes, variant: variant.name }).slice(0, 12);
      const groupLabel = [formatAxes(axes), variant.name].filter(Boolean).join(' | ');
      for (const seed of seedValues) {
        const layers: GridCell['layers'] = [];
        if (Object.keys(axes).length) layers.push({ source: `${study.path} (axes: ${formatAxes(axes)})`, values: axes });
        if (Object.keys(variant.settings).length) layers.push({ source: `${study.path} (variant "${variant.name}")`, values: variant.settings });
        if (seeds && seed !== null) layers.push({ source: `${study.path} (seeds)`, values: Object.fromEntries(seeds.vary.map((k) => [k, seed])) });
        cells.push({
          index: cells.length, axes, variant, seed, group, groupLabel, layers,
          label: [groupLabel, seed === null ? '' : `seed ${seed}`].filter(Boolean).join(' | '),
        });
      }
    }
  }
  return cells;
}
