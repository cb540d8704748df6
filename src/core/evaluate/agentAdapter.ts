/**
 * Builds the evaluator's AgentPolicy from an agent run folder: what it was trained on comes from
 * manifest.json (agentManifest.ts); the greedy pick comes from the agent module's policy loader,
 * passed in as a `PolicyFactory` so evaluation does not depend on how the agent stores weights
 * or encodes sessions.
 */
import type { Re2llmConfig } from '../config/defaults';
import type { Session, SessionDataset } from '../data/types';
import type { LlmClient } from '../llm/types';
import type { CancelSignal, Logger } from '../util/log';
import { assertAgentMatches, type AgentPolicy, type EvaluationInputs } from './agentPolicy';
import { readAgentManifest, type AgentManifestRef } from './agentManifest';

export interface PolicyDeps {
  dataset: SessionDataset;
  config: Re2llmConfig;
  /** For encoders that embed through the endpoint (encoder.kind = openai). */
  client?: LlmClient;
  logger?: Logger;
}

/** Greedy action for a session: an index into the manifest's hint ids. */
export type GreedyPick = (session: Session, signal?: CancelSignal) => Promise<number>;

export type PolicyFactory = (runDir: string, manifest: AgentManifestRef, deps: PolicyDeps) => Promise<GreedyPick>;

/**
 * @param expect when given, a stale agent is refused (StaleAgentError) before any weights load,
 *   so the user sees what differs rather than a shape error from the network.
 */
export async function loadAgentPolicy(runDir: string, deps: PolicyDeps, factory: PolicyFactory, expect?: EvaluationInputs): Promise<AgentPolicy> {
  const manifest = await readAgentManifest(runDir);
  const ref = {
    hintIds: manifest.hintIds,
    ...(manifest.hintTexts ? { hintTexts: manifest.hintTexts } : {}),
    datasetHash: manifest.datasetHash,
    kbFingerprint: manifest.kbFingerprint,
    runDir,
  };
  if (expect) assertAgentMatches({ ...ref, pick: async () => 0 }, expect);
  return { ...ref, pick: await factory(runDir, manifest, deps) };
}
