/**
 * A trained agent as a greedy policy over sessions, for evaluation: loads a run folder's best
 * checkpoint (else its last), rebuilds the encoder it was trained with, and picks
 * argmax π(a | encoded session). Its signature matches the evaluator's `PolicyFactory`
 * (src/core/evaluate/agentAdapter.ts), which wires it in.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Re2llmConfig } from '../config/defaults';
import type { Session, SessionDataset } from '../data/types';
import type { LlmClient } from '../llm/types';
import { createEncoder, datasetFamilies } from '../encode';
import { encodeSession } from '../encode/session';
import type { SessionEncoder } from '../encode/types';
import { InputError } from '../util/errors';
import { PpoAgent } from './ppo';
import { RunningMeanStd } from './runningStats';
import { readCheckpoint, decodeFloat32, type CheckpointFile } from './checkpoint';
import { RUN_FILES } from './train';

export interface RunPolicyDeps {
  dataset: SessionDataset;
  config: Re2llmConfig;
  client?: LlmClient;
  /** Use this encoder instead of rebuilding the run's (tests). */
  encoder?: SessionEncoder;
}

/** The actor of a checkpoint, ready for inference (no optimiser). */
export function agentFromCheckpoint(c: CheckpointFile): PpoAgent {
  const agent = new PpoAgent(c.stateDim, c.arms, c.hidden, false, null);
  const params = decodeFloat32(c.params, 'params');
  if (params.length !== agent.params.length) throw new Error(`checkpoint has ${params.length} parameters, expected ${agent.params.length}`);
  agent.params.set(params);
  agent.obsRms = c.obsRms ? RunningMeanStd.fromJSON(c.obsRms) : null;
  return agent;
}

export async function agentPolicyFromRun(
  runDir: string,
  manifest: { raw: Record<string, unknown> },
  deps: RunPolicyDeps,
): Promise<(session: Session) => Promise<number>> {
  const file = existsSync(join(runDir, RUN_FILES.best)) ? join(runDir, RUN_FILES.best) : join(runDir, RUN_FILES.last);
  const ckpt = await readCheckpoint(file);
  const agent = agentFromCheckpoint(ckpt);
  const enc = manifest.raw.encoder as { kind?: string; id?: string; dim?: number } | undefined;
  if (!enc || typeof enc.kind !== 'string' || typeof enc.id !== 'string') throw new InputError('missing the encoder the agent was trained with', join(runDir, RUN_FILES.manifest), undefined, 'encoder');
  if (enc.kind === 'synthetic') throw new Error(`${runDir}: trained on a synthetic bandit, not on sessions`);
  let encoder = deps.encoder;
  if (!encoder) {
    const kind = enc.kind as Re2llmConfig['encoder']['kind'];
    const config: Re2llmConfig = { ...deps.config, encoder: { ...deps.config.encoder, kind, ...(kind === 'hashing' && typeof enc.dim === 'number' ? { dim: enc.dim } : {}) } };
    const probeItem = deps.dataset.items.values().next().value;
    encoder = await createEncoder(config, { families: datasetFamilies(deps.dataset), ...(deps.client ? { client: deps.client } : {}), ...(probeItem ? { probeItem } : {}) });
  }
  if (encoder.id !== enc.id) throw new Error(`${runDir}: trained with encoder ${enc.id}, but the configuration gives ${encoder.id}; point encoder.* at the same model`);
  if (encoder.dim !== ckpt.stateDim) throw new Error(`${runDir}: checkpoint expects ${ckpt.stateDim}-d states, encoder ${encoder.id} gives ${encoder.dim}`);
  const enc2 = encoder;
  return async (session) => {
    const state = await encodeSession(enc2, deps.dataset, session);
    return agent.greedy(state, 1)[0]!;
  };
}
