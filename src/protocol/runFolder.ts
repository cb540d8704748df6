/**
 * The shape of a training run folder, as `results.ts` is for `results.json`: the file names, the
 * typed `manifest.json` and `summary.json`, and a guard for each. Types and small guards only;
 * the readers are in src/core/agent/runFolder.ts, the writer is trainAgent (src/core/agent/train.ts).
 * Every front end (the CLI's `train`, the extension's Train, `run`/`runExperiment`) writes the same
 * folder, so "finished" has one definition: `isFinishedTraining` in the readers.
 *
 *   config.json            the resolved configuration the run started with (no secrets)
 *   manifest.json          TrainManifest: what the agent was trained on, in action order
 *   metrics.jsonl          one line per PPO update (the training curve)
 *   checkpoints/last.json  written at every validation point, on cancel and at the end
 *   checkpoints/best.json  the best greedy validation reward so far
 *   checkpoints/steps/     step-N.json at every validation point (what selection picks from)
 *   kfold-K/               K-fold selection: fold-k/ run folders and selection.json
 *   agent.onnx             the best actor, exported when training ran to its end
 *   summary.json           TrainSummary, written when training ran to its end (not on cancel)
 *   worker.log             the worker's log lines (written by the parent, src/worker/client.ts)
 *   stage.lock             held while a process works in the folder (src/core/run/stageLock.ts)
 */
import type { TrainSummary } from './worker';

export type { TrainSummary } from './worker';

/** File names inside a run folder (paths relative to it). */
export const RUN_FILES = {
  config: 'config.json',
  manifest: 'manifest.json',
  metrics: 'metrics.jsonl',
  checkpoints: 'checkpoints',
  last: 'checkpoints/last.json',
  best: 'checkpoints/best.json',
  steps: 'checkpoints/steps',
  onnx: 'agent.onnx',
  summary: 'summary.json',
  workerLog: 'worker.log',
  lock: 'stage.lock',
} as const;

export type RunFileName = keyof typeof RUN_FILES;

/** The state encoder a run was trained with (its id pins features and dimension). */
export interface RecordedEncoder {
  kind: string;
  id: string;
  dim: number;
}

/**
 * `manifest.json`. The identity fields (`datasetHash`, `kbFingerprint`, `hintIds`) are required:
 * evaluation and resume refuse a run without them. The rest is written by every current run and
 * optional only so that hand-made manifests (tests, older runs) still read.
 */
export interface TrainManifest {
  /** `llm`: the LLM reward on a dataset; `synthetic`: a bandit file. Absent: `llm`. */
  problem?: 'llm' | 'synthetic';
  datasetHash: string;
  kbFingerprint: string;
  /** Hint ids in action order; [0] is "none". */
  hintIds: string[];
  /** Hint texts in the same order. */
  hintTexts?: string[];
  encoder?: RecordedEncoder;
  /** The synthetic-bandit file (problem = synthetic). */
  source?: string;
  /** The KB file an LLM-reward run trained with. */
  kbPath?: string;
  /** The config's base folder (relative paths), so a resume can reuse it. */
  baseDir?: string;
  dataset?: { name: string; hash: string };
  llm?: { baseUrl: string; model: string; embeddingModel: string; temperature: number };
  trainSessions?: number;
  validationSessions?: number;
  /** A K-fold selection run: trained on the other folds of the training sessions, validated on fold `index`. */
  fold?: { index: number; of: number };
  seeds?: { agent: number; dataset: number };
  preset?: string;
  /** The PPO arguments (src/core/agent/ppo.ts PpoArgs). */
  ppo?: Record<string, unknown>;
  packageVersion?: string;
  createdAt?: string;
  files?: Record<string, string>;
}

/** What is wrong with a value read as a manifest or summary: the field and a phrase. */
export interface RunFileProblem {
  field?: string;
  message: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);

/** Checks a parsed `manifest.json`; returns it typed, or the first problem found. */
export function checkTrainManifest(v: unknown): { manifest: TrainManifest } | { problem: RunFileProblem } {
  const bad = (field: string | undefined, message: string) => ({ problem: { ...(field ? { field } : {}), message } });
  if (!isObj(v)) return bad(undefined, 'a run manifest must be a JSON object');
  if (!isStr(v.datasetHash)) return bad('datasetHash', 'missing the dataset hash the agent was trained on');
  if (!isStr(v.kbFingerprint)) return bad('kbFingerprint', 'missing the KB fingerprint the agent was trained on');
  if (!isStrings(v.hintIds) || v.hintIds[0] !== 'none') return bad('hintIds', 'hint ids in action order are missing or do not start with "none"');
  if (v.hintTexts !== undefined) {
    if (!isStrings(v.hintTexts)) return bad('hintTexts', 'must be a list of strings');
    if (v.hintTexts.length !== v.hintIds.length) return bad('hintTexts', `${v.hintTexts.length} hint texts for ${v.hintIds.length} hint ids`);
  }
  if (v.problem !== undefined && v.problem !== 'llm' && v.problem !== 'synthetic') return bad('problem', 'must be "llm" or "synthetic"');
  if (v.encoder !== undefined && !(isObj(v.encoder) && isStr(v.encoder.kind) && isStr(v.encoder.id) && isNum(v.encoder.dim))) {
    return bad('encoder', 'must be {kind, id, dim}');
  }
  for (const f of ['source', 'kbPath', 'baseDir'] as const) {
    if (v[f] !== undefined && !(isStr(v[f]) && v[f] !== '')) return bad(f, 'must be a non-empty string');
  }
  return { manifest: v as unknown as TrainManifest };
}

/** Checks a parsed `summary.json`. */
export function isTrainSummary(v: unknown): v is TrainSummary {
  if (!isObj(v)) return false;
  const nullable = (x: unknown, is: (y: unknown) => boolean) => x === null || is(x);
  return (
    isStr(v.runDir) && isNum(v.steps) && isNum(v.updates) && typeof v.cancelled === 'boolean' &&
    nullable(v.bestValidationReward, isNum) && nullable(v.bestStep, isNum) &&
    nullable(v.bestCheckpoint, isStr) && nullable(v.lastCheckpoint, isStr) && nullable(v.onnxPath, isStr) &&
    isNum(v.calls) && isNum(v.cacheHits) && isNum(v.callBound) && isNum(v.seconds)
  );
}
