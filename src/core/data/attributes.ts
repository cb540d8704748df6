/**
 * Item attributes keyed by family names that come from the data (CSV headers, RecBole fields,
 * JSONL keys), so a family may be called `__proto__`, `constructor` or `toString`. On a plain
 * object, `attrs.__proto__ = [...]` replaces the prototype (the family vanishes) and
 * `attrs.constructor` is Object's constructor even when the item has no such family. Every
 * attributes object is therefore created without a prototype, and read through own properties.
 */
import type { Item, ItemAttributes } from './types';

/** An empty attributes object with no prototype: any family name is an ordinary key. */
export function newAttributes(): ItemAttributes {
  return Object.create(null) as ItemAttributes;
}

/** A prototype-free copy (for attributes that arrive as plain objects, e.g. parsed JSON). */
export function attributesFrom(entries: Iterable<[string, string[]]>): ItemAttributes {
  const out = newAttributes();
  for (const [k, v] of entries) out[k] = v;
  return out;
}

/** The values of one family, or [] when the item has none (never an inherited member). */
export function attributeValues(item: Pick<Item, 'attributes'>, family: string): string[] {
  return Object.prototype.hasOwnProperty.call(item.attributes, family) ? item.attributes[family]! : [];
}
