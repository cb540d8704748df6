/**
 * The PolicyFactory the CLI and the extension use: rebuilds a trained agent from its run folder
 * (see src/core/agent/train.ts for the layout) and acts greedily.
 *
 * - weights: the checkpoint `agent.selection` names (checkpointToLoad in core/agent/runFolder.ts), else the other
 *   one; their hint ids must equal the manifest's;
 * - states: the encoder recorded in the manifest (`encoder.kind`, with the run's own
 *   config.json encoder settings), which must give the same encoder id and dimension as in
 *   training; the session state is the mean of its history items' vectors, as in training;
 * - action: argmax of the actor's logits on the (running-mean/std normalised) state.
 */
import type { Re2llmConfig } from '../config/defaults';
import { PpoAgent } from '../agent/ppo';
import { RunningMeanStd } from '../agent/runningStats';
import { fromCheckpoint, readCheckpoint } from '../agent/checkpoint';
import { checkpointToLoad, readRunConfig, runFile } from '../agent/runFolder';
import { createEncoder, datasetFamilies } from '../encode';
import { encodeSessions } from '../encode/session';
import { InputError } from '../util/errors';
import type { PolicyFactory } from './agentAdapter';

const SESSION_ENCODERS = new Set<string>(['hashing', 'onnx', 'openai', 'profile'] satisfies Re2llmConfig['encoder']['kind'][]);

/** The run's own encoder settings (its config.json); none when the file is missing or unreadable. */
async function runEncoderSettings(runDir: string): Promise<Partial<Re2llmConfig['encoder']>> {
  try {
    return (await readRunConfig(runDir)).encoder ?? {};
  } catch {
    return {};
  }
}

export const agentPolicyFactory: PolicyFactory = async (runDir, manifest, deps) => {
  const manifestFile = runFile(runDir, 'manifest');
  const path = await checkpointToLoad(runDir, deps.config.agent.selection, deps.config.agent.kfolds);
  if (!path) throw new InputError('no checkpoint yet: the training run stopped before its first one; run training again (train --resume or run restarts it)', runDir);
  const ckpt = await readCheckpoint(path);
  if (ckpt.hintIds.join('\n') !== manifest.hintIds.join('\n')) {
    throw new InputError(`hint ids [${ckpt.hintIds.join(', ')}] differ from the manifest's [${manifest.hintIds.join(', ')}]`, path, undefined, 'hintIds');
  }
  const state = fromCheckpoint(ckpt);
  const agent = new PpoAgent(state.dim, state.arms, ckpt.hidden, false, null);
  if (state.params.length !== agent.params.length) throw new InputError(`${state.params.length} parameters, expected ${agent.params.length}`, path, undefined, 'params');
  agent.params.set(state.params);
  agent.obsRms = state.obsRms ? RunningMeanStd.fromJSON(state.obsRms) : null;

  const rec = manifest.encoder;
  if (!rec) throw new InputError('the encoder the agent was trained with is not recorded', manifestFile, undefined, 'encoder');
  if (!SESSION_ENCODERS.has(rec.kind)) throw new InputError(`encoder kind "${rec.kind}" cannot encode dataset sessions (a synthetic-bandit run?)`, manifestFile, undefined, 'encoder.kind');
  const config: Re2llmConfig = { ...deps.config, encoder: { ...deps.config.encoder, ...(await runEncoderSettings(runDir)), kind: rec.kind as Re2llmConfig['encoder']['kind'] } };
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
