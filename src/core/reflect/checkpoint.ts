/**
 * The reflection checkpoint, `<runDir>/reflection.checkpoint.json`, written atomically after every
 * session: sessions tried, each candidate hint with its check results, accepted hints and usage.
 * A rerun with the same settings continues after the last finished session; a session cut short
 * is redone (its LLM answers come from the response cache, so redoing it costs no calls), and so
 * is a session recorded as failed, with every session after it (runReflection's
 * retryFailedSessions). Each session records what its own answers cost (`usage`): budgets count
 * those, not the work a run made ahead for sessions it did not keep.
 *
 * The key covers everything that changes what a session yields (dataset, model, prompts, parsing,
 * checks, KB file); stopping limits (targetHints, maxSessions, maxCalls) are not part of it, so a
 * rerun with a bigger budget continues the same run.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Re2llmConfig } from '../config/defaults';
import { hashJson } from '../util/hash';
import { writeJsonAtomicSync } from '../util/fs';
import { InputError } from '../util/errors';
import type { AcceptedHint, SessionRecord, UsageTotals } from './types';

const CHECKPOINT_FILE = 'reflection.checkpoint.json';
export const CHECKPOINT_VERSION = 1;

export interface ReflectionCheckpoint {
  version: number;
  key: string;
  dataset: string;
  kbPath: string;
  sessions: SessionRecord[];
  accepted: AcceptedHint[];
  usage: UsageTotals;
  updatedAt: string;
}

export function checkpointKey(config: Re2llmConfig, datasetHash: string, kbPath: string, model: { baseUrl: string; model: string; embeddingModel: string }): string {
  const r = config.reflection;
  return hashJson({
    v: CHECKPOINT_VERSION,
    datasetHash,
    kbPath,
    // The endpoint and the seed shape answers as the model does (the chat cache key has both).
    endpoint: config.llm.endpointId || model.baseUrl,
    seed: config.llm.seed ?? null,
    model: model.model,
    embeddingModel: r.redundancy === 'llm' ? undefined : model.embeddingModel,
    temperature: config.llm.temperature,
    maxTokens: config.llm.maxTokens,
    prompt: config.prompt,
    parse: config.parse,
    words: [config.dataset.itemNoun, config.dataset.itemNounPlural, config.dataset.verbPast, config.dataset.verbPresent],
    reflection: {
      seed: r.seed,
      effectiveness: r.effectiveness,
      minRankImprovement: r.minRankImprovement,
      redundancy: r.redundancy,
      similarityThreshold: r.similarityThreshold,
      maxHintChars: r.maxHintChars,
    },
  });
}

export function checkpointPath(runDir: string): string {
  return join(runDir, CHECKPOINT_FILE);
}

/** The checkpoint in runDir, or undefined when there is none or it belongs to other settings. */
export async function loadCheckpoint(runDir: string, key: string): Promise<{ checkpoint?: ReflectionCheckpoint; mismatch: boolean }> {
  const file = checkpointPath(runDir);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { mismatch: false };
    throw new InputError(`cannot read checkpoint: ${(err as Error).message}`, file);
  }
  let cp: ReflectionCheckpoint;
  try {
    cp = JSON.parse(text) as ReflectionCheckpoint;
  } catch (err) {
    throw new InputError(`invalid checkpoint JSON (${(err as Error).message}); delete it to start over`, file);
  }
  if (cp.version !== CHECKPOINT_VERSION || cp.key !== key) return { mismatch: true };
  if (!Array.isArray(cp.sessions) || !Array.isArray(cp.accepted)) throw new InputError('checkpoint lacks sessions or accepted; delete it to start over', file);
  return { checkpoint: cp, mismatch: false };
}

/** Synchronous inside (writeFileAtomicSync): acceptance waits for it. */
export async function saveCheckpoint(runDir: string, cp: ReflectionCheckpoint): Promise<void> {
  writeJsonAtomicSync(checkpointPath(runDir), cp);
}
