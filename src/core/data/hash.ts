/**
 * The dataset content hash that goes into every run manifest: sha256 of the canonical JSON of
 * the items (sorted by id) and the three splits (in order). Two imports with the same content
 * hash equally whatever format or file order they came from.
 *
 * The canonical text is fed to the hash piece by piece (one item or session at a time): at 10^7
 * interactions it would be longer than the longest string V8 can build. The digest is the same
 * as `hashJson({ items, splits })` (keys sorted at every depth), except that attribute families
 * named like Object members (`__proto__`) are hashed too instead of being dropped.
 */
import { createHash } from 'node:crypto';
import type { Item, Session, SplitName } from './types';

const SPLITS_SORTED: SplitName[] = ['test', 'train', 'validation'];

function ids(xs: readonly string[]): string {
  return '[' + xs.map((x) => JSON.stringify(x)).join(',') + ']';
}

function itemJson(it: Item): string {
  const attrs = Object.keys(it.attributes)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${ids(it.attributes[k]!)}`)
    .join(',');
  return `{"attributes":{${attrs}},"id":${JSON.stringify(it.id)},"title":${JSON.stringify(it.title)}}`;
}

function sessionJson(s: Session): string {
  return `{"candidates":${ids(s.candidates)},"history":${ids(s.history)},"id":${JSON.stringify(s.id)},"target":${JSON.stringify(s.target)}}`;
}

export function datasetHash(items: Map<string, Item>, splits: Record<SplitName, Session[]>): string {
  const h = createHash('sha256');
  const sortedItems = [...items.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  h.update('{"items":[');
  sortedItems.forEach((it, i) => h.update((i ? ',' : '') + itemJson(it)));
  h.update('],"splits":{');
  SPLITS_SORTED.forEach((name, j) => {
    h.update(`${j ? ',' : ''}${JSON.stringify(name)}:[`);
    splits[name].forEach((s, i) => h.update((i ? ',' : '') + sessionJson(s)));
    h.update(']');
  });
  h.update('}}');
  return h.digest('hex');
}
