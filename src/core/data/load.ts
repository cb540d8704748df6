/**
 * Entry point for every importer: `loadDataset(config)` recognises the folder (or uses
 * `dataset.format`) and returns the one SessionDataset form. (Stub until the importers land.)
 */
import type { Re2llmConfig } from '../config/defaults';
import type { SessionDataset } from './types';
import type { Logger } from '../util/log';

export interface LoadOptions {
  logger?: Logger;
}

export async function loadDataset(config: Re2llmConfig, _opts: LoadOptions = {}): Promise<SessionDataset> {
  throw new Error(`loadDataset(${config.dataset.path}): importers not implemented yet`);
}
