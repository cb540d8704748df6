/**
 * `openLlmClient`: the one way a front end or a stage gets its LLM client, with the shared
 * response cache of `llm.cacheDir` in front (so every caller reuses every answer). Relative
 * cache folders resolve against `baseDir` (the config's folder) when given.
 */
import { resolve } from 'node:path';
import type { Re2llmConfig } from '../config/defaults';
import { createLlmClient, type LlmClientOptions } from './client';
import { ResponseCache } from './cache';
import type { LlmClient } from './types';

export interface OpenLlmClientOptions extends Omit<LlmClientOptions, 'cache' | 'apiKey'> {
  /** From SecretStorage or the caller's environment; undefined: the client reads `llm.apiKeyEnv`. */
  apiKey?: string | undefined;
  /** Folder a relative `llm.cacheDir` is relative to (default: the current folder). */
  baseDir?: string;
}

export async function openLlmClient(config: Re2llmConfig, opts: OpenLlmClientOptions = {}): Promise<LlmClient> {
  const { apiKey, baseDir, ...rest } = opts;
  const cache = await ResponseCache.open(baseDir !== undefined ? resolve(baseDir, config.llm.cacheDir) : config.llm.cacheDir);
  return createLlmClient(config, { ...rest, cache, ...(apiKey ? { apiKey } : {}) });
}
