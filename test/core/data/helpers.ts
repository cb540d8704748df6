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
