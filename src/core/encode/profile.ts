/**
 * The `profile` state encoder: an interpretable summary of how concentrated a session's history is
 * on each attribute family, computed from the whole history (not a mean of item vectors, since
 * "share of the most frequent value" is not an average). Per family f, over the history items:
 *   coverage      share of items that have any value of f
 *   top share     share of the covering items that carry f's most frequent value
 *   concentration 1 - H(values of f) / log(number of distinct values), 1 when one value dominates
 *   decade share  for year-like values, the top share of their decades (0 otherwise)
 * plus log(1 + history length) / 5. Families come from the dataset (sorted, at most 16), so the
 * vector means the same thing for every session of a dataset; the encoder id names them, and an
 * agent trained on other families is refused.
 *
 * Why it exists: a hashed or text embedding mean-pooled over the history keeps which values occur
 * but hides how much one of them dominates, which is what decides whether a hint such as "favour
 * the decade most of the history comes from" helps. Titles-only datasets have no families: the
 * profile then holds the history length only, so use a text encoder there.
 */
import type { Item, SessionDataset } from '../data/types';
import type { SessionEncoder } from './types';

const MAX_PROFILE_FAMILIES = 16;
const PER_FAMILY = 4;

/** The attribute families of a dataset, sorted; the profile encoder's layout. */
export function datasetFamilies(dataset: Pick<SessionDataset, 'items'>): string[] {
  const seen = new Set<string>();
  for (const item of dataset.items.values()) for (const f of Object.keys(item.attributes)) if (item.attributes[f]!.length) seen.add(f);
  return [...seen].sort().slice(0, MAX_PROFILE_FAMILIES);
}

const YEAR = /^(1[89]|20)\d\d$/;

/**
 * Top share: items carrying the most frequent value / items covered. Concentration: one minus the
 * normalised entropy of the value occurrences (an item with two genres counts for both).
 */
function topShareAndConcentration(counts: Map<string, number>, covered: number): [number, number] {
  if (covered === 0 || counts.size === 0) return [0, 0];
  let top = 0;
  let occurrences = 0;
  for (const c of counts.values()) {
    top = Math.max(top, c);
    occurrences += c;
  }
  let h = 0;
  for (const c of counts.values()) {
    const p = c / occurrences;
    h -= p * Math.log(p);
  }
  const concentration = counts.size > 1 ? 1 - h / Math.log(counts.size) : 1;
  return [top / covered, concentration];
}

export class ProfileEncoder implements SessionEncoder {
  readonly id: string;
  readonly dim: number;

  constructor(readonly families: string[]) {
    if (families.length > MAX_PROFILE_FAMILIES) throw new Error(`encoder profile: at most ${MAX_PROFILE_FAMILIES} attribute families, got ${families.length}`);
    this.id = `profile:v1:${families.join(',')}`;
    this.dim = PER_FAMILY * families.length + 1;
  }

  /** Item vectors are not what this encoder pools; sessions go through encodeHistory. */
  async encodeItems(items: Item[]): Promise<Float32Array[]> {
    return items.map((it) => this.encodeHistory([it]));
  }

  encodeHistory(items: readonly Item[]): Float32Array {
    const out = new Float32Array(this.dim);
    this.families.forEach((f, k) => {
      const values = new Map<string, number>();
      const decades = new Map<string, number>();
      let covered = 0;
      let withYears = 0;
      for (const item of items) {
        const vals = (item.attributes[f] ?? []).map((v) => v.trim().toLowerCase()).filter(Boolean);
        if (!vals.length) continue;
        covered++;
        for (const v of new Set(vals)) values.set(v, (values.get(v) ?? 0) + 1);
        const years = vals.filter((v) => YEAR.test(v));
        if (years.length) {
          withYears++;
          const d = `${Math.floor(Number(years[0]) / 10) * 10}s`;
          decades.set(d, (decades.get(d) ?? 0) + 1);
        }
      }
      const [top, conc] = topShareAndConcentration(values, covered);
      const [decadeTop] = topShareAndConcentration(decades, withYears);
      out.set([items.length ? covered / items.length : 0, top, conc, decadeTop], PER_FAMILY * k);
    });
    out[this.dim - 1] = Math.log1p(items.length) / 5;
    return out;
  }
}
