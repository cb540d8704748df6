/**
 * What the extension asks of the core, in one interface. `load.ts` implements it by lazily
 * importing the core modules (nothing heavy at activation); tests pass a fake. The extension adds
 * no logic of its own here: every function is a thin call into src/core or src/worker.
 */
import type { Re2llmConfig } from '../../core/config/defaults';
import type { ResolvedConfig } from '../../core/config/resolve';
import type { Diagnostic, HintKb } from '../../core/kb/types';
import type { SessionDataset } from '../../core/data/types';
import type { Logger, CancelSignal } from '../../core/util/log';
import type { ResultsFile, TrainingPoint } from '../../protocol/results';
import type { SessionDetail } from '../../protocol/webview';
import type { PlanEstimate } from '../../core/plan/estimate';
import type { StopReason } from '../../core/reflect/types';

/** A progress event from any job, already reduced to what the UI shows. */
export interface JobProgress {
  message?: string;
  done?: number;
  total?: number;
  calls?: number;
  cost?: number;
  reward?: number;
  /** A new point of the training curve. */
  point?: TrainingPoint;
  /** The run folder, once the job has created it (lets an interrupted training resume). */
  runDir?: string;
}

export interface JobContext {
  /** The resolved config (its base folder resolves relative paths in the core). */
  resolved: ResolvedConfig;
  config: Re2llmConfig;
  /** Never logged; reaches the worker through its environment only. */
  apiKey: string;
  logger: Logger;
  signal: CancelSignal & AbortSignal;
  onProgress(p: JobProgress): void;
}

export interface TryHintResult {
  sessions: number;
  /** Sessions whose target rank improved with the hint / got worse. */
  improved: number;
  worsened: number;
  /** Mean NDCG@10 with minus without. */
  meanReward: number;
}

export interface CoreApi {
  validateKb(text: string, opts: { dataset?: SessionDataset; maxHintChars: number }): Promise<Diagnostic[]>;
  /** The KB if the text parses and matches the schema. */
  parseKb(text: string): Promise<HintKb | undefined>;
  /**
   * The core's three-way merge applied to a text the user owns (an unsaved buffer): `base` is the
   * KB a writer started from, `desired` what it wants now; the user's edits and deletions win and
   * their formatting is kept. Throws when `userText` is not a valid KB.
   */
  mergeKbText(userText: string, base: HintKb, desired: HintKb): Promise<string>;
  /** The core's merge-safe save to disk (re-reads the file, merges, writes atomically). */
  saveKbMerged(path: string, base: { text: string | null; kb: HintKb }, desired: HintKb): Promise<{ hints: number }>;
  kbFingerprint(kb: HintKb): Promise<string>;
  /** Canonical text of a KB (the core's formatting, so diffs stay small). */
  formatKb(kb: HintKb): Promise<string>;
  loadDataset(config: Re2llmConfig, logger: Logger): Promise<SessionDataset>;
  /** Reflection into `kbPath` (the core writes it; the extension always passes the KB's staging copy, kb/staging.ts). */
  /** `stopReason`: why it stopped (the job card says so when it is not the target). */
  reflect(ctx: JobContext, kbPath: string): Promise<{ accepted: number; stopReason?: StopReason }>;
  /** Training in the worker process. `resumeRunDir` continues from its last checkpoint. */
  train(ctx: JobContext, kbPath: string, resumeRunDir?: string): Promise<{ runDir: string }>;
  evaluate(ctx: JobContext, kbPath: string, agentRunDir?: string): Promise<{ runDir: string }>;
  /** The whole pipeline (the lead's runExperiment). */
  runExperiment(ctx: JobContext): Promise<{ runDir: string }>;
  /** Effectiveness check of one hint on n validation sessions. */
  tryHint(ctx: JobContext, hintText: string, sessions: number): Promise<TryHintResult>;
  /** Starts the simulated LLM on loopback for a dataset. */
  startSimulator(dataset: SessionDataset, seed: number): Promise<{ baseUrl: string; close(): Promise<void> }>;
  /** One session's prompt, hint, answer and ranking from a run's predictions.jsonl (fetched on demand). */
  sessionDetail(runDir: string, results: ResultsFile, sessionId: string, condition: string): Promise<SessionDetail>;
  /** What the stages would ask the LLM now (their plans minus cached answers; src/core/run/stagePlans.ts). */
  estimateStages(resolved: ResolvedConfig, stages: PlannedStage[], kbPath: string): Promise<StageEstimate[]>;
  /** Writes the metric table of a run in a format; returns the file written. */
  exportResults(runDir: string, format: 'csv' | 'latex' | 'json', outFile: string): Promise<string>;
}

export type PlannedStage = 'reflect' | 'train' | 'evaluate';

/** One stage's plan estimate: the core's PlanEstimate itself, not a copy of its fields. */
export type StageEstimate = PlanEstimate;
