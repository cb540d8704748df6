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

/**
 * Checkpoint selection is applied after training (src/core/agent/selection.ts): the run keeps a
 * checkpoint at every validation point, and K-fold's fold agents live inside the run folder under
 * `kfold-K/`, so neither `agent.selection` nor `agent.kfolds` names the training folder; both are
 * in the evaluation key instead. `agent.kfolds` is there even when the selection is not kfold:
 * one extra evaluation for a setting that does nothing is cheaper than a second list of cases.
 */
function selectionIdentity(config: Re2llmConfig): unknown {
  return { selection: config.agent.selection, kfolds: config.agent.kfolds };
}

export function trainKey(i: StageKeyInputs, kbFingerprint: string): string {
  const { selection: _s, kfolds: _k, ...agent } = i.config.agent;
  return short({
    v: i.packageVersion, dataset: i.datasetHash, kb: kbFingerprint, llm: answerIdentity(i.config),
    agent, encoder: i.config.encoder, embeddingModel: i.config.llm.embeddingModel,
    splits: { maxTrain: i.config.dataset.maxTrainSessions },
  });
}

export function evaluationKey(i: StageKeyInputs, kbFingerprint: string, agentKey: string | null): string {
  return short({ v: i.packageVersion, dataset: i.datasetHash, kb: kbFingerprint, agent: agentKey, ...(agentKey !== null ? { select: selectionIdentity(i.config) } : {}), llm: answerIdentity(i.config), evaluation: i.config.evaluation });
}

/**
 * Settings that are deliberately in no stage key and not in the chat cache key, each with why it
 * cannot change a stage's output for the same dataset content and KB. A test
 * (test/core/run/stageKeys.test.ts) walks every setting of the table and requires it to change a
 * key or to be listed here, so a new setting that shapes results cannot be forgotten.
 */
export const DOES_NOT_SHAPE_RESULTS: Readonly<Record<string, string>> = {
  'dataset.path': 'where the data is read from; its content is keyed by the dataset hash',
  'dataset.format': 'which importer reads it; every importer gives the same SessionDataset, keyed by its hash',
  'dataset.name': 'a label for file names and the results; the KB path it picks is in the reflection key, the content in the hash',
  'dataset.minSessionLength': 'shapes the sessions, which the dataset hash covers',
  'dataset.candidates': 'shapes the candidate sets, which the dataset hash covers',
  'dataset.testFraction': 'shapes the splits, which the dataset hash covers',
  'dataset.validationFraction': 'shapes the splits, which the dataset hash covers',
  'dataset.seed': 'shapes the splits and negatives, which the dataset hash covers',
  'dataset.encoding': 'how bytes decode; the decoded content is in the dataset hash',
  'dataset.skipBadRows': 'changes which rows load, which the dataset hash covers',
  'dataset.csvInteractions': 'a CSV file name; the content it yields is in the dataset hash',
  'dataset.csvItems': 'a CSV file name; the content it yields is in the dataset hash',
  'dataset.csvColumns': 'CSV column names; the content they yield is in the dataset hash',
  'dataset.csvAttributeSeparator': 'CSV parsing; the content it yields is in the dataset hash',
  'llm.timeoutMs': 'transport: a request that fails for good is a recorded failure, never a cached answer, and the next run asks it again',
  'llm.concurrency': 'transport: requests in flight, not their answers',
  'llm.maxRetries': 'transport: as timeoutMs, a failure is recorded and asked again by the next run, never cached',
  'llm.maxFailureRate': 'a stopping limit on failed requests; the answers that did arrive are the same',
  'llm.apiKeyEnv': 'where the key is read from; never part of an answer',
  'llm.inputCostPerMTok': 'accounting: scales the reported cost, not any answer or metric',
  'llm.outputCostPerMTok': 'accounting: scales the reported cost, not any answer or metric',
  'llm.embeddingCostPerMTok': 'accounting: scales the reported cost, not any answer or metric',
  'llm.cacheDir': 'where answers are cached, not what they are',
  'llm.offline': 'replays the same cached answers; a miss fails instead of calling',
  'llm.executor': 'transport: fills the same cache keys with the same answers, online or through the Batch API',
  'llm.batchRetryFailed': 'transport: how failed batch lines are asked again',
  'llm.batchPollMs': 'transport: how often a pending batch is checked',
  'reflection.targetHints': 'a stopping limit: a bigger one continues the same checkpoint; the KB it yields is keyed by its fingerprint downstream',
  'reflection.maxSessions': 'a stopping limit, as targetHints',
  'reflection.maxCalls': 'a budget, as targetHints',
  'output.runsDir': 'where run folders go',
  'output.kbPath': 'which KB file: the reflection key takes the resolved path, training and evaluation its fingerprint',
};
