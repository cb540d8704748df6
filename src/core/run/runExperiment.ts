/**
 * The whole Re2LLM experiment as one readable function (RecBole's `run_recbole` is the model):
 * a sequence of named stages, each exported and callable alone (src/core/run/*Stage.ts):
 *
 *   importStage -> reflectStage -> trainStage -> evaluateStage -> reportStage
 *
 * Each stage's output lives in a folder named by a hash of every input that shapes it, so a
 * rerun with the same inputs skips the stage (and, with the response cache warm, costs no LLM
 * call), while any change (dataset, KB edit, setting, model) gets a fresh folder. Partial stages
 * resume: reflection from its checkpoint, training from its last checkpoint. A stage lock in each
 * folder keeps a second process from working in it at the same time.
 */
import type { ResolvedConfig } from '../config/resolve';
import type { UsageStats } from '../llm/types';
import type { PaidAhead } from '../llm/paidAhead';
import type { Logger } from '../util/log';
import { openLlmClient } from '../llm/open';
import type { HintKb } from '../kb';
import type { ReflectionSummary } from '../reflect/types';
import type { ResultsFile } from '../../protocol/results';
import type { TrainSummary } from '../../protocol/worker';
import { STAGES, type ExperimentEvent, type Stage, type StageContext, type Trainer } from './stage';
import { importStage } from './importStage';
import { enabledHints, readStageKb, reflectStage } from './reflectStage';
import { trainingReused, trainStage } from './trainStage';
import { evaluateStage } from './evaluateStage';
import { reportStage } from './reportStage';
import { ResponseCache } from '../llm/cache';
import { estimatedCalls, type PlanEstimate, type PlanFill } from '../plan';
import { datasetFacts, pilotFacts, setupWarnings, withPilot } from './setupWarnings';
import { checkBudget, evaluationReadsRewardTable, fillPendingPlan, pendingPlan, type Budget } from './stagePlans';
import { batchPlanFiller } from './batchFill';
import { roundCost } from '../llm/prices';

export type { ExperimentEvent, Stage, Trainer } from './stage';

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
  /** How long a stage waits for another process holding its folder before failing (default 2000 ms). */
  lockWaitMs?: number;
  /** Caps checked against each LLM stage's plan before it starts (--max-calls, --max-cost). */
  budget?: Budget;
  /** Each LLM stage's plan estimate (what is not cached yet), before the stage starts. */
  onEstimate?: (estimate: PlanEstimate, notes: string[]) => void;
  /** Fills a stage's plan into the response cache before the stage runs (llm.executor=batch). */
  fill?: PlanFill;
}

/** Calls (online requests and batch lines) and their cost, in the currency of llm.*CostPerMTok. */
export interface StageSpend {
  calls: number;
  cost: number;
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
  /**
   * What each stage that ran paid in this process: its online calls and the batch lines its
   * fills imported, its plan asked ahead included (the reward table asked ahead counts for
   * training, whose worker then reads it from the cache). The worker's own calls are in `training`.
   */
  spend: Partial<Record<'reflect' | 'train' | 'evaluate', StageSpend>>;
  seconds: number;
  /** Warnings about the researcher's own setup (a KB far short of its target, small candidate sets, few test sessions): the sidebar's, printed by the CLI too. */
  warnings: string[];
}

export async function runExperiment(opts: ExperimentOptions): Promise<ExperimentSummary> {
  const started = Date.now();
  const wants = (s: Stage): boolean => STAGES.indexOf(s) <= STAGES.indexOf(opts.until ?? 'report');
  const ctx: StageContext = {
    resolved: opts.resolved, packageVersion: opts.packageVersion, logger: opts.logger,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    ...(opts.lockWaitMs !== undefined ? { lockWaitMs: opts.lockWaitMs } : {}),
  };

  // 1. Dataset: one SessionDataset whatever the importer.
  const { dataset, kbPath } = await importStage(ctx);
  const summary: ExperimentSummary = {
    dataset: {
      name: dataset.name, hash: dataset.hash, items: dataset.items.size,
      train: dataset.splits.train.length, validation: dataset.splits.validation.length, test: dataset.splits.test.length,
    },
    kbPath, kbHints: 0, reflection: null, training: null, evaluation: null, reportPath: null,
    usage: { calls: 0, cacheHits: 0, retries: 0, failures: 0, promptTokens: 0, completionTokens: 0, cost: 0 },
    spend: {},
    seconds: 0,
    warnings: [],
  };
  const client = await openLlmClient(opts.resolved.config, { logger: opts.logger, apiKey: opts.apiKey });
  const config = opts.resolved.config;
  const planCache = await ResponseCache.open(config.llm.cacheDir);
  const planned = { calls: 0, cost: 0 };
  // llm.executor=batch with no filler from the caller (VS Code, studies): the core's batch filler.
  const given = opts.fill ?? (config.llm.executor === 'batch' ? batchPlanFiller(config, { logger: opts.logger, ...(opts.apiKey ? { apiKey: opts.apiKey } : {}) }) : undefined);
  // The batch lines the fills report paying for (the client counts only its own calls).
  const batchPaid: StageSpend = { calls: 0, cost: 0 };
  const fill: PlanFill | undefined = given && (async (plan) => {
    const paid = await given(plan);
    for (const a of paid ?? []) {
      batchPaid.calls++;
      batchPaid.cost += a.cost;
    }
    return paid;
  });
  /** Runs one stage (its fill ahead included) and records what it paid. */
  const spending = async <T>(stage: 'reflect' | 'train' | 'evaluate', run: () => Promise<T>): Promise<T> => {
    const [u0, b0] = [client.usage(), { ...batchPaid }];
    try {
      return await run();
    } finally {
      const u = client.usage();
      summary.spend[stage] = { calls: u.calls - u0.calls + batchPaid.calls - b0.calls, cost: roundCost(u.cost - u0.cost + batchPaid.cost - b0.cost) };
    }
  };
  // Plan, estimate, check the caps, then (batch) fill: before the stage spends anything.
  const beforeStage = async (stage: 'reflect' | 'train' | 'evaluate', kb?: HintKb, agent?: boolean): Promise<PaidAhead | undefined> => {
    const { plan, estimate } = await pendingPlan(stage, { dataset, config, cache: planCache, ...(kb ? { kb } : {}), ...(agent ? { agent } : {}) });
    opts.onEstimate?.(estimate, plan.notes);
    checkBudget(estimate, opts.budget ?? {}, planned, config.llm.executor);
    planned.calls += estimatedCalls(estimate, config.llm.executor);
    planned.cost += config.llm.executor === 'batch' ? estimate.batchCost : estimate.onlineCost;
    return fillPendingPlan(plan, { config, client, fill, signal: opts.signal, onProgress: (done, total) => opts.onEvent?.({ stage, kind: 'fill', done, total, usage: client.usage() }) });
  };

  // 2. Reflection grows the KB to its target size (or keeps the researcher's KB as it is).
  let kb: HintKb;
  if (wants('reflect')) {
    const r = await spending('reflect', async () => {
      const current = await readStageKb(kbPath, dataset, config.reflection.maxHintChars);
      const ahead = enabledHints(current) < config.reflection.targetHints ? await beforeStage('reflect') : undefined;
      // llm.executor=batch: reflection's later rounds go through the same filler, and the first
      // round's lines are charged to the sessions that read them.
      return reflectStage(ctx, { dataset, client, kbPath, ...(fill && config.llm.executor === 'batch' ? { fill } : {}), ...(ahead ? { paidAhead: ahead.unreadAnswers() } : {}) });
    });
    summary.reflection = r.reflection;
    kb = r.kb;
  } else {
    kb = await readStageKb(kbPath, dataset, opts.resolved.config.reflection.maxHintChars);
  }
  summary.kbHints = enabledHints(kb);

  // 3. Training, in whatever process the trainer chooses; reused when finished, else resumed.
  const trained = wants('train') && summary.kbHints > 0
    ? await spending('train', async () => {
      // A reused training asks nothing: its table is paid for ahead only if best-fixed-hint reads it.
      const ahead = (await trainingReused(ctx, { dataset, kb })) && !(wants('evaluate') && evaluationReadsRewardTable(config)) ? undefined : await beforeStage('train', kb);
      return trainStage(ctx, { dataset, kb, kbPath, trainer: opts.trainer, ...(ahead?.unreadCount ? { paidAhead: ahead.unreadAnswers() } : {}) });
    })
    : undefined;
  // What the worker itself sent (its own client, in its own process): part of what training paid.
  if (trained && !trained.skipped && summary.spend.train) {
    const t = summary.spend.train;
    summary.spend.train = { calls: t.calls + trained.summary.calls, cost: roundCost(t.cost + (trained.summary.cost ?? 0)) };
  }
  if (trained) summary.training = { ...trained.summary, skipped: trained.skipped };

  // 4. Evaluation of every configured condition on the test split.
  if (wants('evaluate')) {
    summary.evaluation = await spending('evaluate', async () => {
      const paidAhead = await beforeStage('evaluate', kb, !!trained);
      return evaluateStage(ctx, {
        dataset, client, kb, kbPath,
        ...(paidAhead ? { paidAhead } : {}),
        ...(trained ? { agent: { runDir: trained.runDir, key: trained.key } } : {}),
        // llm.executor=batch: the hints best-fixed-hint and the agent choose go in one more batch.
        ...(fill && config.llm.executor === 'batch' ? { fill } : {}),
      });
    });
  }

  // 5. The self-contained HTML report beside results.json.
  if (wants('report') && summary.evaluation) summary.reportPath = (await reportStage(ctx, { evalDir: summary.evaluation.runDir })).path;

  summary.usage = client.usage();
  summary.seconds = (Date.now() - started) / 1000;
  const tested = summary.evaluation?.results.conditions[0]?.n;
  summary.warnings = setupWarnings({
    dataset: datasetFacts(dataset),
    enabledHints: summary.kbHints,
    targetHints: config.reflection.targetHints,
    candidates: config.dataset.candidates,
    testSample: tested ?? config.evaluation.testSample,
    topK: config.prompt.topK,
    ...withPilot(summary.evaluation ? pilotFacts(summary.evaluation.results, config.evaluation.primary, config.evaluation.primaryMetric) : undefined),
  });
  return summary;
}
