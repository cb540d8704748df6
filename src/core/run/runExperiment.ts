/**
 * The whole Re2LLM experiment as one readable function (RecBole's `run_recbole` is the model):
 * resolve config -> load and split the dataset -> reflect (or keep the user's KB) -> train the
 * retrieval agent (through an injected trainer, so callers can put it in the worker process) ->
 * evaluate every condition -> write the report.
 *
 * Each stage's output lives in a folder named by a hash of every input that shapes it, so a
 * rerun with the same inputs skips the stage (and, with the response cache warm, costs no LLM
 * call), while any change (dataset, KB edit, setting, model) gets a fresh folder. Partial stages
 * resume: reflection from its checkpoint, training from its last checkpoint.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/resolve';
import type { Re2llmConfig } from '../config/defaults';
import type { SessionDataset } from '../data/types';
import type { LlmClient, UsageStats } from '../llm/types';
import type { Logger } from '../util/log';
import { writeJsonAtomic } from '../util/fs';
import { loadDataset } from '../data/load';
import { createLlmClient, redactUrl, ResponseCache } from '../llm';
import { actionHints, kbFingerprint, loadKbFile, isEnabled, type HintKb } from '../kb';
import { runReflection } from '../reflect/runReflection';
import type { ReflectionProgress, ReflectionSummary } from '../reflect/types';
import { runEvaluation, type EvaluationProgress } from '../evaluate/runEvaluation';
import { loadAgentPolicy } from '../evaluate/agentAdapter';
import { agentPolicyFactory } from '../evaluate/agentPolicyFactory';
import { writeReport } from '../report';
import type { ResultsFile } from '../../protocol/results';
import type { TrainOptions, TrainProgress, TrainSummary } from '../../protocol/worker';
import { defaultKbPath } from './paths';
import { evaluationKey, reflectionKey, trainKey, type StageKeyInputs } from './stageKeys';

/** Runs training somewhere (the CLI and the extension fork the worker; tests may run in-process). */
export type Trainer = (config: Re2llmConfig, options: TrainOptions, onProgress: (p: TrainProgress) => void) => Promise<TrainSummary>;

export type Stage = 'import' | 'reflect' | 'train' | 'evaluate' | 'report';

export type ExperimentEvent =
  | { stage: Stage; kind: 'start' | 'skip'; detail: string }
  | { stage: Stage; kind: 'done'; detail: string; seconds: number }
  | { stage: 'reflect'; kind: 'progress'; progress: ReflectionProgress }
  | { stage: 'train'; kind: 'progress'; progress: TrainProgress }
  | { stage: 'evaluate'; kind: 'progress'; progress: EvaluationProgress };

export interface ExperimentOptions {
  resolved: ResolvedConfig;
  trainer: Trainer;
  packageVersion: string;
  logger: Logger;
  signal?: AbortSignal;
  /** From SecretStorage or the environment; never written anywhere. */
  apiKey?: string;
  /** Run only up to this stage (default: report). */
  until?: Stage;
  onEvent?: (e: ExperimentEvent) => void;
}

export interface ExperimentSummary {
  dataset: { name: string; hash: string; items: number; train: number; validation: number; test: number };
  kbPath: string;
  kbHints: number;
  reflection: ReflectionSummary | { skipped: string } | null;
  training: (TrainSummary & { skipped: boolean }) | null;
  evaluation: { runDir: string; skipped: boolean; results: ResultsFile } | null;
  reportPath: string | null;
  /** LLM usage of this process (training usage is in `training`, counted by the worker). */
  usage: UsageStats;
  seconds: number;
}

const ORDER: Stage[] = ['import', 'reflect', 'train', 'evaluate', 'report'];

export async function runExperiment(opts: ExperimentOptions): Promise<ExperimentSummary> {
  const started = Date.now();
  const { config, baseDir } = opts.resolved;
  const { logger } = opts;
  const emit = (e: ExperimentEvent): void => opts.onEvent?.(e);
  const wants = (s: Stage): boolean => ORDER.indexOf(s) <= ORDER.indexOf(opts.until ?? 'report');
  const timed = async <T>(stage: Stage, detail: string, fn: () => Promise<T>): Promise<T> => {
    emit({ stage, kind: 'start', detail });
    const t0 = Date.now();
    const out = await fn();
    emit({ stage, kind: 'done', detail, seconds: (Date.now() - t0) / 1000 });
    return out;
  };

  // 1. Dataset: one SessionDataset whatever the importer.
  const dataset: SessionDataset = await timed('import', config.dataset.path, () => loadDataset(config, { logger }));
  const summary: ExperimentSummary = {
    dataset: {
      name: dataset.name, hash: dataset.hash, items: dataset.items.size,
      train: dataset.splits.train.length, validation: dataset.splits.validation.length, test: dataset.splits.test.length,
    },
    kbPath: defaultKbPath(config, baseDir, dataset.name),
    kbHints: 0,
    reflection: null,
    training: null,
    evaluation: null,
    reportPath: null,
    usage: { calls: 0, cacheHits: 0, retries: 0, failures: 0, promptTokens: 0, completionTokens: 0, cost: 0 },
    seconds: 0,
  };
  const cache = await ResponseCache.open(config.llm.cacheDir);
  const client: LlmClient = createLlmClient(config, { cache, logger, ...(opts.apiKey ? { apiKey: opts.apiKey } : {}) });
  const runsDir = config.output.runsDir;
  const keyInputs: StageKeyInputs = { config, datasetHash: dataset.hash, packageVersion: opts.packageVersion };

  // 2. Reflection: grow the KB to its target size. A KB that already holds enough enabled hints is
  // the researcher's (possibly hand-edited) and is used as it is.
  const loaded = async (): Promise<HintKb> => (await loadKbFile(summary.kbPath, dataset.name, { maxHintChars: config.reflection.maxHintChars })).kb;
  let kb = await loaded();
  const enabled = (k: HintKb): number => k.hints.filter(isEnabled).length;
  if (wants('reflect')) {
    if (enabled(kb) >= config.reflection.targetHints) {
      summary.reflection = { skipped: `${summary.kbPath} already holds ${enabled(kb)} enabled hints` };
      emit({ stage: 'reflect', kind: 'skip', detail: summary.reflection.skipped });
    } else {
      const key = reflectionKey(keyInputs, summary.kbPath);
      summary.reflection = await timed('reflect', `growing ${summary.kbPath} to ${config.reflection.targetHints} hints`, () =>
        runReflection({
          dataset, client, config, kbPath: summary.kbPath, runDir: join(runsDir, `reflect-${key}`), logger,
          ...(opts.signal ? { signal: opts.signal } : {}),
          onProgress: (progress) => emit({ stage: 'reflect', kind: 'progress', progress }),
        }),
      );
      kb = await loaded();
    }
  }
  summary.kbHints = enabled(kb);
  const fingerprint = kbFingerprint(kb);

  // 3. Training, in whatever process the trainer chooses. Keyed by everything that shapes the
  // reward and the policy; an existing finished run is reused, an unfinished one resumed.
  let agentRunDir: string | undefined;
  let agentKey: string | null = null;
  if (wants('train') && summary.kbHints > 0) {
    agentKey = trainKey(keyInputs, fingerprint);
    agentRunDir = join(runsDir, `train-${agentKey}`);
    const donePath = join(agentRunDir, 'summary.json');
    if (existsSync(donePath)) {
      const { readJsonFile } = await import('../util/fs');
      summary.training = { ...(await readJsonFile<TrainSummary>(donePath)), skipped: true };
      emit({ stage: 'train', kind: 'skip', detail: `${agentRunDir} already trained` });
    } else {
      const resume = existsSync(join(agentRunDir, 'checkpoints', 'last.json'));
      const trained = await timed('train', `${config.agent.steps} steps, preset ${config.agent.preset}${resume ? ' (resuming)' : ''}`, () =>
        opts.trainer(config, { runDir: agentRunDir!, resume, kbPath: summary.kbPath, baseDir, packageVersion: opts.packageVersion },
          (progress) => emit({ stage: 'train', kind: 'progress', progress })),
      );
      if (trained.cancelled) throw new Error(`training cancelled; rerun to resume from ${trained.lastCheckpoint ?? agentRunDir}`);
      await writeJsonAtomic(donePath, trained);
      summary.training = { ...trained, skipped: false };
    }
  }

  // 4. Evaluation of every configured condition on the test split.
  if (wants('evaluate')) {
    const evalDir = join(runsDir, `eval-${evaluationKey(keyInputs, fingerprint, agentKey)}`);
    const resultsPath = join(evalDir, 'results.json');
    const { readResults } = await import('../evaluate/output');
    // Results holding failed answers are redone: the cache answers the rest, so only the failed
    // requests are asked again.
    const previous = existsSync(resultsPath) ? await readResults(evalDir) : undefined;
    const failedBefore = previous ? previous.conditions.reduce((n, c) => n + (c.failures ?? 0), 0) : 0;
    if (previous && failedBefore === 0) {
      summary.evaluation = { runDir: evalDir, skipped: true, results: previous };
      emit({ stage: 'evaluate', kind: 'skip', detail: `${resultsPath} exists` });
    } else {
      if (failedBefore > 0) logger.log('info', `evaluate: ${resultsPath} holds ${failedBefore} failed answer(s); asking them again`);
      const agent = agentRunDir
        ? await loadAgentPolicy(agentRunDir, { dataset, config, client, logger }, agentPolicyFactory, {
          datasetHash: dataset.hash, kbFingerprint: fingerprint, actions: actionHints(kb),
        })
        : undefined;
      const conditions = config.evaluation.conditions.filter((c) => (c === 'agent' ? !!agent : true));
      const results = await timed('evaluate', `${conditions.join(', ')}`, () =>
        runEvaluation({
          dataset, client, config, kb, kbPath: summary.kbPath, runDir: evalDir, conditions, logger,
          ...(agent ? { agent } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
          onProgress: (progress) => emit({ stage: 'evaluate', kind: 'progress', progress }),
        }),
      );
      await writeJsonAtomic(join(evalDir, 'config.json'), { ...config, llm: { ...config.llm, baseUrl: redactUrl(config.llm.baseUrl) } });
      summary.evaluation = { runDir: evalDir, skipped: false, results };
    }
  }

  // 5. The self-contained HTML report beside results.json.
  if (wants('report') && summary.evaluation) {
    const evalDir = summary.evaluation.runDir;
    const report = await timed('report', evalDir, () => writeReport(evalDir, { logger }));
    summary.reportPath = report.path;
  }

  summary.usage = client.usage();
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
