/**
 * Budgets before spending (issue 12 item 4): each LLM stage's plan (src/core/plan) without the
 * requests the response cache already answers, its estimate, and the caps `--max-calls` /
 * `--max-cost` checked against it before the stage starts.
 */
import type { Re2llmConfig } from '../config/defaults';
import type { SessionDataset } from '../data/types';
import { resolve } from 'node:path';
import type { ResolvedConfig } from '../config/resolve';
import { loadKbFile, type HintKb } from '../kb';
import { ResponseCache } from '../llm/cache';
import { loadDataset } from '../data/load';
import type { Logger } from '../util/log';
import { defaultKbPath } from './paths';
import { estimatedCalls, estimatePlan, pendingCount, planEvaluation, planReflection, planTraining, withoutCached, type PlanEstimate, type PlanFill, type RequestPlan } from '../plan';
import { onlineExecutor } from '../llm/executor';
import type { LlmClient } from '../llm/types';
import { PaidAhead } from '../llm/paidAhead';

export interface Budget {
  maxCalls?: number;
  maxCost?: number;
}

/** The plan passes a cap: thrown before the stage spends anything. */
export class BudgetExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetExceededError';
  }
}

export interface PendingPlan {
  plan: RequestPlan;
  estimate: PlanEstimate;
}

export async function pendingPlan(
  stage: 'reflect' | 'train' | 'evaluate',
  input: { dataset: SessionDataset; config: Re2llmConfig; kb?: HintKb; agent?: boolean; cache: ResponseCache },
): Promise<PendingPlan> {
  const ctx = { dataset: input.dataset, config: input.config };
  const full =
    stage === 'reflect' ? planReflection(ctx)
      : stage === 'train' ? planTraining(ctx, input.kb ?? { version: 1, hints: [] })
        : planEvaluation(ctx, input.kb, { agent: input.agent ?? false });
  const plan = await withoutCached(full, input.cache);
  return { plan, estimate: estimatePlan(plan, input.config.llm) };
}

/**
 * Whether an online run asks a stage's plan ahead, at the concurrency limit, before the stage runs.
 * Evaluation always: every condition's answers are asked at once. Training only when
 * best-fixed-hint is evaluated: its choice reads the full reward table on train ∪ validation
 * anyway, so asking the table ahead costs nothing extra; otherwise PPO asks on demand, which on
 * hetrec at 10,000 steps touches about 60% of the table. Reflection sends its own requests.
 */
export function asksAheadOnline(stage: 'reflect' | 'train' | 'evaluate', config: Re2llmConfig): boolean {
  if (stage === 'evaluate') return true;
  return stage === 'train' && evaluationReadsRewardTable(config);
}

/** best-fixed-hint is evaluated: its choice reads the full reward table on train ∪ validation. */
export function evaluationReadsRewardTable(config: Re2llmConfig): boolean {
  return config.evaluation.conditions.includes('best-fixed-hint');
}

/**
 * Refuses a stage whose plan passes a cap. `spent` is what earlier stages of the same run
 * planned, so the caps hold for the whole run.
 */
export function checkBudget(estimate: PlanEstimate, budget: Budget, spent: { calls: number; cost: number } = { calls: 0, cost: 0 }, executor: 'online' | 'batch' = 'online'): void {
  const needs = estimatedCalls(estimate, executor);
  const calls = spent.calls + needs;
  if (budget.maxCalls !== undefined && calls > budget.maxCalls) {
    throw new BudgetExceededError(
      `${estimate.stage}: the plan needs ${needs} LLM calls${spent.calls ? ` (${calls} with the earlier stages)` : ''}, more than --max-calls ${budget.maxCalls}; nothing was spent on this stage`,
    );
  }
  const cost = spent.cost + (executor === 'batch' ? estimate.batchCost : estimate.onlineCost);
  if (budget.maxCost !== undefined && cost > budget.maxCost) {
    throw new BudgetExceededError(
      `${estimate.stage}: the plan costs an estimated ${cost.toFixed(4)} (${executor} prices), more than --max-cost ${budget.maxCost}; nothing was spent on this stage`,
    );
  }
}

/**
 * Whether reflection's round 1 (the base answer of every session it may draw) may be paid for
 * ahead: not under --max-cost, and not when its lines alone pass reflection.maxCalls (300 lines
 * on hetrec under --max-calls 200). The budget-gated rounds then ask only what the budget affords.
 */
export function mayFillReflectionAhead(plan: RequestPlan, config: Re2llmConfig, maxCost?: number): boolean {
  return plan.stage !== 'reflect' || (maxCost === undefined && pendingCount(plan) <= config.reflection.maxCalls);
}

/**
 * A stage's pending plan filled by the configured executor before the stage runs, so the stage
 * reads the cache: `fill` (llm.executor=batch: the Batch API or an export) when given, else, online,
 * asked ahead at the concurrency limit where that pays (asksAheadOnline). The one way every front
 * end (run, the CLI's stage commands, VS Code's) fills a stage.
 *
 * Returns the answers it paid for (paidAhead.ts: asked online, or the lines a batch filler
 * reports): a stage given its `claiming()` client charges each to whatever reads it first, where
 * the plain client would show a cache hit.
 */
export async function fillPendingPlan(
  plan: RequestPlan,
  o: {
    config: Re2llmConfig; client: LlmClient; fill?: PlanFill | undefined; signal?: AbortSignal | undefined;
    /** Online fills: requests answered so far (about every 0.5%, and at the end). */
    onProgress?: ((done: number, total: number) => void) | undefined;
  },
): Promise<PaidAhead | undefined> {
  if (!pendingCount(plan) || !mayFillReflectionAhead(plan, o.config)) return undefined;
  const paid = PaidAhead.forClient(o.client, o.config.llm);
  if (o.fill) {
    paid.recordFilled((await o.fill(plan)) ?? []);
    return paid;
  }
  if (!asksAheadOnline(plan.stage, o.config)) return undefined;
  const every = Math.max(1, Math.floor(plan.requests.length / 200));
  const onProgress = o.onProgress && ((done: number, total: number) => (done % every === 0 || done === total) && o.onProgress!(done, total));
  await onlineExecutor(paid.recording(), o.config.llm.concurrency).fill(plan.requests, { ...(o.signal ? { signal: o.signal } : {}), ...(onProgress ? { onProgress } : {}) });
  return paid;
}

/**
 * The pending plans of the named stages for a configuration as it is now: the dataset it names
 * and its KB file as it stands (training and evaluation are planned over that KB; a KB that
 * reflection has yet to grow gives a smaller plan than the run will need).
 */
export async function plansForConfig(
  resolved: ResolvedConfig,
  stages: readonly ('reflect' | 'train' | 'evaluate')[],
  opts: { logger?: Logger; kbPath?: string } = {},
): Promise<{ kbPath: string; plans: PendingPlan[]; dataset: SessionDataset }> {
  const { config, baseDir } = resolved;
  const dataset = await loadDataset(config, opts.logger ? { logger: opts.logger } : {});
  const kbPath = opts.kbPath ?? defaultKbPath(config, baseDir, dataset.name);
  const kb = (await loadKbFile(kbPath, dataset.name, { maxHintChars: config.reflection.maxHintChars })).kb;
  const cache = await ResponseCache.open(resolve(baseDir, config.llm.cacheDir));
  const plans: PendingPlan[] = [];
  for (const stage of stages) plans.push(await pendingPlan(stage, { dataset, config, kb, agent: true, cache }));
  return { kbPath, plans, dataset };
}
