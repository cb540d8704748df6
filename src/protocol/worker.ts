/**
 * Messages between a parent (the CLI or the extension host) and the training worker process
 * (`dist/worker.js`, src/worker/main.ts). Types and small guards only; both sides import this file.
 *
 * Naming by direction: `WorkerCommand` = parent -> worker, `WorkerNotification` = worker -> parent.
 * Handshake: the worker sends `ready` once it listens; the parent then sends `start` exactly once.
 * Every message is checked where it arrives (a crashed or foreign process is untrusted input).
 * The API key never travels in a message: the worker reads it from its own environment.
 */
import type { Re2llmConfig } from '../core/config/defaults';

/** An answer the parent paid for ahead of the worker, by cache key (src/core/llm/paidAhead.ts's PaidAnswer). */
export interface PaidAheadAnswer {
  key: string;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

/** What to train; paths are absolute. */
export interface TrainOptions {
  /** Run folder to create (or to continue, with `resume`). */
  runDir: string;
  /** Continue from `runDir`'s last checkpoint. */
  resume: boolean;
  /** Overrides config.agent.steps. */
  steps?: number;
  /** Train on a synthetic-bandit file instead of the LLM reward (no dataset, KB or LLM needed). */
  bandit?: string;
  /** Hint KB file (LLM training); default from the config. */
  kbPath?: string;
  /** The resolved config's base folder, for relative paths. */
  baseDir?: string;
  /** Recorded in the manifest. */
  packageVersion: string;
  /** K-fold selection: train on the other folds of the training sessions, validate on fold `index` of `of`. */
  fold?: { index: number; of: number };
  /**
   * Reward-table answers the parent paid for before the worker started (asked ahead online, or a
   * batch's lines), by cache key: the worker reads them from the cache and charges each to this
   * run as it reads it (`TrainSummary.askedAhead`).
   */
  paidAhead?: PaidAheadAnswer[];
}

export type WorkerCommand =
  | { type: 'start'; config: Re2llmConfig; options: TrainOptions }
  | { type: 'cancel' };

export interface TrainProgress {
  step: number;
  totalSteps: number;
  update: number;
  /** Mean reward of the last rollout. */
  meanReward: number;
  /** Policy entropy (nats). */
  entropy: number;
  valueLoss: number;
  /** LLM calls made so far in this run (0 for a synthetic bandit). */
  calls: number;
  /** Answers paid for before the worker started (TrainOptions.paidAhead) read so far; absent when none. */
  askedAhead?: number;
  /** Reward look-ups answered from the run's reward cache. */
  cacheHits: number;
  /** Upper bound on LLM calls: |sessions| × |actions| over train and validation (0 when synthetic). */
  callBound: number;
  /** Greedy policy's mean validation reward, when this update was a validation point. */
  validationReward: number | null;
  stepsPerSecond: number;
  /** LLM client: attempts retried, requests failed for good, the current in-flight limit (absent when synthetic). */
  retries?: number;
  failures?: number;
  concurrencyLimit?: number;
}

export interface TrainSummary {
  runDir: string;
  steps: number;
  updates: number;
  /** Whether the run stopped early on cancel. */
  cancelled: boolean;
  bestValidationReward: number | null;
  bestStep: number | null;
  bestCheckpoint: string | null;
  lastCheckpoint: string | null;
  onnxPath: string | null;
  /** LLM requests the worker itself sent (answers not in the cache). */
  calls: number;
  /** What those cost (llm.*CostPerMTok; 0 on loopback endpoints). Absent in runs before 2026-12-07. */
  cost?: number;
  /**
   * Answers paid for before the worker started (TrainOptions.paidAhead) that it read: part of what
   * this training cost, though the worker asked nothing for them. Absent when none.
   */
  askedAhead?: { calls: number; cost: number };
  cacheHits: number;
  callBound: number;
  /**
   * Reward-table answers that failed for good during the run (trained on as reward 0, never
   * cached). A summary with failures is not final: the next run retrains from scratch, with the
   * cache answering everything else, so its policy equals a fault-free run's.
   */
  failures?: number;
  /** LLM attempts the worker's client repeated (429, 5xx, timeout, malformed); absent when none or synthetic. */
  retries?: number;
  /**
   * The lowest in-flight limit the worker's client adapted to (429s lower it), when it fell
   * below llm.concurrency; absent otherwise.
   */
  concurrencyLimit?: number;
  seconds: number;
}

export type WorkerNotification =
  | { type: 'ready' }
  | ({ type: 'progress' } & TrainProgress)
  | { type: 'checkpoint'; path: string; step: number; best: boolean }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; text: string }
  | { type: 'done'; summary: TrainSummary }
  | { type: 'error'; message: string; stack?: string };

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const optNum = (v: unknown) => v === undefined || isNum(v);
const isPaidAnswer = (v: unknown): boolean => isObj(v) && isStr(v.key) && isNum(v.promptTokens) && isNum(v.completionTokens) && isNum(v.cost);

/** Checks a message arriving at the worker; returns it typed, or undefined when malformed. */
export function asWorkerCommand(msg: unknown): WorkerCommand | undefined {
  if (!isObj(msg)) return undefined;
  switch (msg.type) {
    case 'cancel':
      return { type: 'cancel' };
    case 'start': {
      const o = msg.options;
      if (!isObj(msg.config) || !isObj(o)) return undefined;
      if (!isStr(o.runDir) || typeof o.resume !== 'boolean' || !isStr(o.packageVersion)) return undefined;
      if (!optNum(o.steps) || !(o.bandit === undefined || isStr(o.bandit)) || !(o.kbPath === undefined || isStr(o.kbPath)) || !(o.baseDir === undefined || isStr(o.baseDir))) return undefined;
      if (o.fold !== undefined && !(isObj(o.fold) && Number.isInteger(o.fold.index) && Number.isInteger(o.fold.of))) return undefined;
      if (o.paidAhead !== undefined && !(Array.isArray(o.paidAhead) && o.paidAhead.every(isPaidAnswer))) return undefined;
      if (!isObj(msg.config.agent) || !isObj(msg.config.encoder)) return undefined;
      return msg as unknown as WorkerCommand;
    }
    default:
      return undefined;
  }
}

const PROGRESS_NUMS = ['step', 'totalSteps', 'update', 'meanReward', 'entropy', 'valueLoss', 'calls', 'cacheHits', 'callBound', 'stepsPerSecond'] as const;
const LEVELS = new Set(['debug', 'info', 'warn', 'error']);

/** Checks a message arriving at the parent; returns it typed, or undefined when malformed. */
export function asWorkerNotification(msg: unknown): WorkerNotification | undefined {
  if (!isObj(msg)) return undefined;
  switch (msg.type) {
    case 'ready':
      return { type: 'ready' };
    case 'progress':
      if (!PROGRESS_NUMS.every((k) => isNum(msg[k])) || !optNum(msg.askedAhead)) return undefined;
      if (!(msg.validationReward === null || isNum(msg.validationReward))) return undefined;
      return msg as unknown as WorkerNotification;
    case 'checkpoint':
      return isStr(msg.path) && isNum(msg.step) && typeof msg.best === 'boolean' ? { type: 'checkpoint', path: msg.path, step: msg.step, best: msg.best } : undefined;
    case 'log':
      return isStr(msg.text) && isStr(msg.level) && LEVELS.has(msg.level) ? { type: 'log', level: msg.level as 'info', text: msg.text } : undefined;
    case 'done': {
      const s = msg.summary;
      if (!isObj(s) || !isStr(s.runDir) || !isNum(s.steps) || typeof s.cancelled !== 'boolean') return undefined;
      return { type: 'done', summary: s as unknown as TrainSummary };
    }
    case 'error':
      return isStr(msg.message) && (msg.stack === undefined || isStr(msg.stack)) ? { type: 'error', message: msg.message, ...(isStr(msg.stack) ? { stack: msg.stack } : {}) } : undefined;
    default:
      return undefined;
  }
}
