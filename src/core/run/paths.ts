import { join } from 'node:path';
import type { Re2llmConfig } from '../config/defaults';

/** The hint KB a config refers to: output.kbPath, else re2llm/<dataset>.hints.json beside the config. */
export function defaultKbPath(config: Re2llmConfig, baseDir: string, datasetName: string): string {
  return config.output.kbPath || join(baseDir, 're2llm', `${datasetName}.hints.json`);
}

/** A run folder name that sorts by time: `<prefix>-20261127-013000`. */
export function timestampedRunName(prefix: string, now: Date = new Date()): string {
  return `${prefix}-${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-')}`;
}
