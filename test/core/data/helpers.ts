import { join } from 'node:path';
import { resolveConfig } from '../../../src/core/config/resolve';
import type { Re2llmConfig } from '../../../src/core/config/defaults';

/** A test fixture folder (test/fixtures/<name>). */
export const fixture = (name: string): string => join(__dirname, '..', '..', 'fixtures', name);

/** The read-only shared datasets (../shared/datasets from the project root). */
export const sharedDataset = (name: string): string => join(__dirname, '..', '..', '..', '..', 'shared', 'datasets', name);

/** The resolved config with dataset.path set, plus dotted overrides. */
export function configFor(path: string, values: Record<string, unknown> = {}): Re2llmConfig {
  return resolveConfig({ layers: [{ source: 'test', values: { 'dataset.path': path, ...values } }] }).config;
}

/** Attributes objects have no prototype (attributes.ts); a plain copy for deepEqual with literals. */
export const plain = (attrs: Record<string, string[]>): Record<string, string[]> => ({ ...attrs });

/** An item with plain attributes, for deepEqual with a literal. */
export const plainItem = <T extends { attributes: Record<string, string[]> }>(item: T | undefined): T | undefined => (item ? { ...item, attributes: plain(item.attributes) } : item);
