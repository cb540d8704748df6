/**
 * The budget flags every spending command shares (--max-calls, --max-cost), the estimate line it
 * prints before a stage, and the plan filler `llm.executor` chooses.
 */
import type { ResolvedConfig } from '../../core/config/resolve';
import type { PlanFill, RequestPlan } from '../../core/plan';
import { formatEstimate } from '../../core/plan';
import { checkBudget, pendingPlan, plansForConfig, type Budget } from '../../core/run/stagePlans';
import { ResponseCache } from '../../core/llm/cache';
import { batchPlanFiller } from '../../core/run/batchFill';
import type { SessionDataset } from '../../core/data/types';
import type { HintKb } from '../../core/kb';
import type { CliIO } from '../io';

export function budgetFlags(flags: { maxCalls?: string; maxCost?: string }): Budget {
  const budget: Budget = {};
  if (flags.maxCalls !== undefined) {
    const n = Number(flags.maxCalls);
    if (!(Number.isInteger(n) && n >= 0)) throw new Error(`--max-calls must be a non-negative integer, got "${flags.maxCalls}"`);
    budget.maxCalls = n;
  }
  if (flags.maxCost !== undefined) {
    const c = Number(flags.maxCost);
    if (!(c >= 0)) throw new Error(`--max-cost must be a non-negative number, got "${flags.maxCost}"`);
    budget.maxCost = c;
  }
  return budget;
}

/**
 * Prints the stage's estimate and refuses it when it passes a cap; returns its plan. Pass the
 * dataset and KB when the command has loaded them already (else they are loaded here).
 */
export async function estimateAndCheck(
  io: CliIO,
  resolved: ResolvedConfig,
  stage: 'reflect' | 'train' | 'evaluate',
  budget: Budget,
  loaded: { kbPath?: string; dataset?: SessionDataset; kb?: HintKb; agent?: boolean } = {},
): Promise<RequestPlan> {
  const { config } = resolved;
  const { plan, estimate } = loaded.dataset
    ? await pendingPlan(stage, {
      dataset: loaded.dataset, config, cache: await ResponseCache.open(config.llm.cacheDir),
      ...(loaded.kb ? { kb: loaded.kb } : {}), ...(loaded.agent ? { agent: true } : {}),
    })
    : (await plansForConfig(resolved, [stage], { ...(loaded.kbPath ? { kbPath: loaded.kbPath } : {}) })).plans[0]!;
  io.logger.log('info', `estimate ${formatEstimate(estimate)}${plan.notes.length ? ` (${plan.notes.join('; ')})` : ''}`);
  checkBudget(estimate, budget, undefined, resolved.config.llm.executor);
  return plan;
}

/**
 * A `fill` for each plan before its stage with llm.executor=batch: it hands the plan to the Batch
 * API; the batches' ids and states are kept in <output.runsDir>/batches.json, so a rerun picks up
 * pending ones instead of paying again. Online there is none: fillPendingPlan asks a plan ahead
 * itself where that pays, through the stage's client (so the stage's usage counts those answers).
 */
export async function fillerFor(io: CliIO, resolved: ResolvedConfig): Promise<{ fill?: PlanFill }> {
  const { config } = resolved;
  if (config.llm.executor !== 'batch') return {};
  return { fill: batchPlanFiller(config, { logger: io.logger }) };
}
