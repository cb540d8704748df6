/** Shared setup for reflection tests: the example dataset, the simulated LLM on loopback, clients. (Not a test file.) */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../../src/core/config/resolve';
import type { Re2llmConfig } from '../../../src/core/config/defaults';
import { loadDataset } from '../../../src/core/data/load';
import type { SessionDataset } from '../../../src/core/data/types';
import { createLlmClient, ResponseCache, type LlmClient } from '../../../src/core/llm';
import { startSimServer, type SimServer } from '../../../src/core/sim';
import { reflectionResponders } from '../../../src/core/sim/reflectionResponder';
import type { Clock } from '../../../src/core/util/log';

const ROOT = join(__dirname, '..', '..', '..');

export interface Harness {
  dataset: SessionDataset;
  sim: SimServer;
  /** A config pointed at the simulator (a fresh copy per call). */
  config(overrides?: (c: Re2llmConfig) => void): Re2llmConfig;
  /** A client with its own usage counters over the given cache folder. */
  client(config: Re2llmConfig, cacheDir: string): Promise<LlmClient>;
  tmp(prefix: string): string;
  close(): Promise<void>;
}

let shared: Promise<{ dataset: SessionDataset; sim: SimServer; base: Re2llmConfig }> | undefined;

export async function harness(): Promise<Harness> {
  shared ??= (async () => {
    const { config: base } = resolveConfig({ configFile: join(ROOT, 'examples', 're2llm.config.json') });
    const dataset = await loadDataset(base);
    const sim = await startSimServer({ dataset, seed: 1, responders: reflectionResponders() });
    return { dataset, sim, base };
  })();
  const { dataset, sim, base } = await shared;
  return {
    dataset,
    sim,
    config(overrides) {
      const c = structuredClone(base);
      c.llm.baseUrl = sim.url;
      c.llm.model = 'sim';
      c.llm.maxRetries = 0;
      // Priced explicitly: unset prices cost 0 on loopback, and the cost budget is under test.
      c.llm.inputCostPerMTok = 0.15;
      c.llm.outputCostPerMTok = 0.6;
      overrides?.(c);
      return c;
    },
    async client(config, cacheDir) {
      return createLlmClient(config, { cache: await ResponseCache.open(cacheDir) });
    },
    tmp: (prefix) => mkdtempSync(join(tmpdir(), `${prefix}-`)),
    close: async () => {
      await sim.close();
      shared = undefined;
    },
  };
}

/** A clock that ticks one second per reading from a fixed start, so createdAt stamps are reproducible. */
export function fixedClock(): Clock {
  let t = Date.UTC(2026, 0, 1);
  return { now: () => (t += 1000) };
}
