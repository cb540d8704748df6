/**
 * The content keys that name each stage's output folder. A stage is reused only when every input
 * that shapes its output is the same, so each key lists those inputs explicitly:
 * - every answer depends on the endpoint, model, sampling settings, the rank prompt as rendered
 *   (template, history limit, top K and the dataset's domain words) and the parser;
 * - the agent also depends on the KB's enabled hints, the PPO settings and the state encoder
 *   (including the embeddings model when the encoder calls the endpoint);
 * - the package version stands for the code itself (encoder features, simulator, metrics).
 * Stopping limits (reflection budgets) are not part of the reflection key: a rerun with a bigger
 * budget continues the same checkpoint.
 */
import type { Re2llmConfig } from '../config/defaults';
import { rankPromptOptions } from '../prompts/rank';
import { hashJson } from '../util/hash';

export interface StageKeyInputs {
  config: Re2llmConfig;
  datasetHash: string;
  packageVersion: string;
}

const short = (v: unknown): string => hashJson(v).slice(0, 12);

/** Everything that shapes one LLM answer to a rank prompt. */
export function answerIdentity(config: Re2llmConfig): unknown {
  const l = config.llm;
  return {
    endpoint: l.endpointId || l.baseUrl,
    model: l.model,
    temperature: l.temperature,
    maxTokens: l.maxTokens,
    seed: l.seed,
    prompt: rankPromptOptions(config),
    parse: config.parse,
  };
}

export function reflectionKey(i: StageKeyInputs, kbPath: string): string {
  const { targetHints: _t, maxSessions: _s, maxCalls: _c, ...shaping } = i.config.reflection;
  return short({ v: i.packageVersion, dataset: i.datasetHash, llm: answerIdentity(i.config), reflection: shaping, embeddingModel: i.config.llm.embeddingModel, kb: kbPath });
}

export function trainKey(i: StageKeyInputs, kbFingerprint: string): string {
  return short({
    v: i.packageVersion, dataset: i.datasetHash, kb: kbFingerprint, llm: answerIdentity(i.config),
    agent: i.config.agent, encoder: i.config.encoder, embeddingModel: i.config.llm.embeddingModel,
    splits: { maxTrain: i.config.dataset.maxTrainSessions },
  });
}

export function evaluationKey(i: StageKeyInputs, kbFingerprint: string, agentKey: string | null): string {
  return short({ v: i.packageVersion, dataset: i.datasetHash, kb: kbFingerprint, agent: agentKey, llm: answerIdentity(i.config), evaluation: i.config.evaluation });
}
