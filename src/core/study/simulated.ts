/**
 * A simulated study's endpoint: the in-process simulated LLM started on loopback as `re2llm demo`
 * starts it (same seed, stable endpoint id so the cache stays warm across runs), and the settings
 * layer that points every cell at it. Its answers go to `<study folder>/cache` unless the study's
 * base settings name a cache, so a simulator never mixes with a real model's cache.
 */
import { join } from 'node:path';
import { resolveConfig, type ConfigLayer } from '../config/resolve';
import { loadDataset } from '../data/load';
import { DEMO_SIM_SEED } from '../run/demo';
import { simEndpointId, startSimServer, type SimServer } from '../sim';
import { silentLogger } from '../util/log';
import { baseLayers } from './cellConfig';
import type { LoadedStudy } from './studyFile';

export async function startStudySimulator(study: LoadedStudy, outDir: string, packageVersion: string): Promise<{ sim: SimServer; layer: ConfigLayer }> {
  const base = resolveConfig({ ...(study.configFile ? { configFile: study.configFile } : {}), layers: baseLayers({ study, outDir, packageVersion }) });
  const dataset = await loadDataset(base.config, { logger: silentLogger });
  const sim = await startSimServer({ dataset, seed: DEMO_SIM_SEED });
  const values: Record<string, unknown> = { 'llm.baseUrl': sim.url, 'llm.model': 'sim-llm', 'llm.endpointId': simEndpointId(dataset.hash, DEMO_SIM_SEED) };
  if (study.file.base.settings?.['llm.cacheDir'] === undefined) values['llm.cacheDir'] = join(outDir, 'cache');
  return { sim, layer: { source: 'study simulator', values } };
}
