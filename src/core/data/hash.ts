/**
 * The dataset content hash that goes into every run manifest: sha256 of the canonical JSON of
 * the items (sorted by id) and the three splits (in order). Two imports with the same content
 * hash equally whatever format or file order they came from.
 */
import { hashJson } from '../util/hash';
import type { Item, Session, SplitName } from './types';

export function datasetHash(items: Map<string, Item>, splits: Record<SplitName, Session[]>): string {
  const sortedItems = [...items.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return hashJson({ items: sortedItems, splits });
}
