/**
 * The PolicyFactory the CLI and the extension use: rebuilds a trained agent from its run folder
 * (see src/core/agent/train.ts for the layout) and acts greedily.
 *
 * - weights: the checkpoint `agent.selection` names (checkpointSelection.ts), else the other
 *   one; their hint ids must equal the manifest's;
 * - states: the encoder recorded in the manifest (`encoder.kind`, with the run's own
 *   config.json encoder settings), which must give the same encoder id and dimension as in
 *   training; the session state is the mean of its history items' vectors, as in training;
 * - action: argmax of the actor's logits on the (running-mean/std normalised) state.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Re2llmConfig } from '../config/defaults';
import { PpoAgent } from '../agent/ppo';
import { RunningMeanStd } from '../agent/runningStats';
import { fromCheckpoint, readCheckpoint } from '../agent/checkpoint';
import { createEncoder, datasetFamilies } from '../encode';
import { encodeSessions } from '../encode/session';
import { InputError } from '../util/errors';
import { exists } from '../util/fs';
import type { PolicyFactory } from './agentAdapter';
import { checkpointCandidates } from './checkpointSelection';

interface RecordedEncoder {
  kind: string;
  id: string;
  dim: number;
}

async function runEncoderSettings(runDir: string): Promise<Partial<Re2llmConfig['encoder']>> {
  try {
    const c = JSON.parse(await fsp.readFile(join(runDir, 'config.json'), 'utf8')) as Partial<Re2llmConfig>;
    return c.encoder ?? {};
  } catch {
    return {};
  }
}

export const agentPolicyFactory: PolicyFactory = async (runDir, manifest, deps) => {
  const manifestFile = join(runDir, 'manifest.json');
  const [first, second] = checkpointCandidates(runDir, deps.config.agent.selection);
  const path = (await exists(first!)) ? first : (await exists(second!)) ? second : undefined;
  if (!path) throw new InputError('no checkpoint (checkpoints/best.json or checkpoints/last.json): was the training run cancelled before its first update?', runDir);
  const ckpt = await readCheckpoint(path);
  if (ckpt.hintIds.join('\n') !== manifest.hintIds.join('\n')) {
    throw new InputError(`hint ids [${ckpt.hintIds.join(', ')}] differ from the manifest's [${manifest.hintIds.join(', ')}]`, path, undefined, 'hintIds');
  }
  const state = fromCheckpoint(ckpt);
  const agent = new PpoAgent(state.dim, state.arms, ckpt.hidden, false, null);
  if (state.params.length !== agent.params.length) throw new InputError(`${state.params.length} parameters, expected ${agent.params.length}`, path, undefined, 'params');
  agent.params.set(state.params);
  agent.obsRms = state.obsRms ? RunningMeanStd.fromJSON(state.obsRms) : null;

  const rec = manifest.raw.encoder as RecordedEncoder | undefined;
  if (!rec || typeof rec.kind !== 'string' || typeof rec.id !== 'string') throw new InputError('the encoder the agent was trained with is not recorded', manifestFile, undefined, 'encoder');
  if (rec.kind !== 'hashing' && rec.kind !== 'onnx' && rec.kind !== 'openai' && rec.kind !== 'profile') throw new InputError(`encoder kind "${rec.kind}" cannot encode dataset sessions (a synthetic-bandit run?)`, manifestFile, undefined, 'encoder.kind');
  const config: Re2llmConfig = { ...deps.config, encoder: { ...deps.config.encoder, ...(await runEncoderSettings(runDir)), kind: rec.kind } };
  const probeItem = deps.dataset.items.values().next().value;
  const encoder = await createEncoder(config, { families: datasetFamilies(deps.dataset), ...(deps.client ? { client: deps.client } : {}), ...(probeItem ? { probeItem } : {}) });
  if (encoder.id !== rec.id || encoder.dim !== state.dim) {
    throw new InputError(`the agent was trained on states from encoder ${rec.id} (${state.dim}-d); here it is ${encoder.id} (${encoder.dim}-d)`, manifestFile, undefined, 'encoder.id');
  }
  deps.logger?.log('info', `agent: ${path} (step ${ckpt.step}${ckpt.validationReward !== undefined ? `, validation reward ${ckpt.validationReward.toFixed(4)}` : ''}), encoder ${encoder.id}`);
  return async (session) => {
    const [x] = await encodeSessions(encoder, deps.dataset, [session]);
    return agent.greedy(x!, 1)[0]!;
  };
};
