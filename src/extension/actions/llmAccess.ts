/**
 * How a job reaches its LLM: with the user's key, with no key (an endpoint on this machine needs
 * none, as the core's client knows), or through the simulated LLM, started in the extension host
 * for the job's dataset and closed after it, as Start Demo does. Chosen in Select Endpoint/Model.
 */
import type { ConfigLayer } from '../../core/config/resolve';
import type { SessionDataset } from '../../core/data/types';
import { simEndpointId } from '../../core/sim/identity';
import { DEMO_SIM_SEED } from '../../core/run/demo';
import type { CoreApi } from '../coreAdapter/api';

/** workspaceState key: true when this workspace's jobs use the simulated LLM. */
export const SIMULATED_LLM_KEY = 're2llm.simulatedLlm';
export const SIMULATED_MODEL = 'sim-llm';
/** What the client sends to the simulator (it checks no key); never a user's key. */
export const SIMULATED_API_KEY = 'sk-simulated-demo';

export type LlmAccess = { kind: 'key'; apiKey: string } | { kind: 'keyless' } | { kind: 'simulated' };

// Hosts that are this machine (Ollama, vLLM, LM Studio, the simulator) need no key there.
import { isLoopbackUrl } from '../../core/llm/prices';
export { isLoopbackUrl };

/** True when calls to this endpoint need an API key (an empty URL is OpenAI's default endpoint). */
export function keyNeeded(baseUrl: string, simulated: boolean): boolean {
  return !simulated && !isLoopbackUrl(baseUrl);
}

export interface SimulatedEndpoint {
  /** Config layer pointing the job at the running simulator. */
  layer: ConfigLayer;
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Starts the simulator for a dataset. Its port changes every run; a stable endpoint id
 * (dataset hash and seed) keeps the response cache warm across runs.
 */
export async function startSimulatedEndpoint(core: CoreApi, ds: SessionDataset, source: string): Promise<SimulatedEndpoint> {
  const sim = await core.startSimulator(ds, DEMO_SIM_SEED);
  return {
    baseUrl: sim.baseUrl,
    layer: { source, values: { 'llm.baseUrl': sim.baseUrl, 'llm.model': SIMULATED_MODEL, 'llm.endpointId': simEndpointId(ds.hash, DEMO_SIM_SEED) } },
    close: () => sim.close(),
  };
}
