/**
 * The simulator's identity in cache keys. Its port changes every run, so callers use this stable
 * id (llm.endpointId) instead of the URL; the model version is part of it, so answers cached from
 * an older rank model are never replayed after the simulator changes. Bump it with the model.
 */
export const SIM_MODEL_VERSION = 2;

export function simEndpointId(datasetHash: string, seed: number): string {
  return `sim://v${SIM_MODEL_VERSION}/${datasetHash.slice(0, 16)}/seed-${seed}`;
}
