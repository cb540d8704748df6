/**
 * Titles shared by several items. Real catalogues repeat titles: remakes ("Hamlet"), and plain
 * duplicate rows (HetRec lists "Scarface" (1983) under three ids). A prompt that shows two
 * candidates as "Scarface" leaves the LLM no way to say which one it means, and an answer line
 * "Scarface" would map to whichever id comes first.
 *
 * `promptTitleLabels` gives every item of such a group a label that is unique in the dataset:
 * the title with its year when the years tell the group apart ("Hamlet (1948)", "Hamlet (1996)"),
 * else with the year (when known) and an ordinal in file order ("Scarface (1983) [1]",
 * "Scarface (1983) [2]"). Items with a title of their own keep it unchanged. Titles are compared
 * ignoring case and runs of whitespace, as the simulator and the answer parser do.
 */
import { attributeValues } from './attributes';
import type { Item } from './types';

export function titleKeyLoose(title: string): string {
  return title.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Groups of items (in file order) that share a title; only groups of two or more. */
export function titleCollisionGroups(items: Map<string, Item>): Item[][] {
  const byKey = new Map<string, Item[]>();
  for (const item of items.values()) {
    const k = titleKeyLoose(item.title);
    const g = byKey.get(k);
    if (g) g.push(item);
    else byKey.set(k, [item]);
  }
  return [...byKey.values()].filter((g) => g.length > 1);
}

const ENDS_WITH_YEAR = /\(\s*\d{4}\s*\)\s*$/;

/** Item id -> prompt label, for the items whose title another item shares (others are absent). */
export function promptTitleLabels(items: Map<string, Item>): Map<string, string> {
  const labels = new Map<string, string>();
  const taken = new Set<string>();
  for (const item of items.values()) taken.add(titleKeyLoose(item.title));
  for (const group of titleCollisionGroups(items)) {
    const yearOf = (it: Item): string | undefined => (ENDS_WITH_YEAR.test(it.title) ? undefined : attributeValues(it, 'year')[0]);
    const base = group.map((it) => {
      const y = yearOf(it);
      return y ? `${it.title} (${y})` : it.title;
    });
    // Ordinals for the members the year does not separate.
    const count = new Map<string, number>();
    for (const b of base) count.set(titleKeyLoose(b), (count.get(titleKeyLoose(b)) ?? 0) + 1);
    const seen = new Map<string, number>();
    group.forEach((it, i) => {
      const k = titleKeyLoose(base[i]!);
      let label = base[i]!;
      if (count.get(k)! > 1) {
        const n = (seen.get(k) ?? 0) + 1;
        seen.set(k, n);
        label = `${label} [${n}]`;
      }
      // A label must not be another item's own title either ("Heat (1995)" may exist as is).
      if (taken.has(titleKeyLoose(label))) label = `${label} [id ${it.id}]`;
      taken.add(titleKeyLoose(label));
      labels.set(it.id, label);
    });
  }
  return labels;
}

/** For the import report: how many titles are shared, by how many items. */
export function titleCollisionCounts(items: Map<string, Item>): { titles: number; items: number } {
  const groups = titleCollisionGroups(items);
  return { titles: groups.length, items: groups.reduce((n, g) => n + g.length, 0) };
}
