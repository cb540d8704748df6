/**
 * `re2llm batch plan [STAGE...]`: what the LLM stages will ask, before anything is spent: per
 * stage the requests not in the response cache yet, their tokens (~4 characters per token) and
 * cost at online and batch (50%) prices. Training is planned over the KB file as it is now.
 */
import type { Command } from 'commander';
import { ioFor, resolveFromCli, withConfigOptions } from './shared';
import { plansForConfig } from '../../core/run/stagePlans';
import { formatEstimate, type PlanEstimate } from '../../core/plan';

const PLANNED = ['reflect', 'train', 'evaluate'] as const;
type PlannedStage = (typeof PLANNED)[number];

function parseStages(names: string[]): PlannedStage[] {
  if (!names.length) return [...PLANNED];
  const bad = names.filter((n) => !(PLANNED as readonly string[]).includes(n));
  if (bad.length) throw new Error(`unknown stage ${bad.map((b) => `"${b}"`).join(', ')} (planned stages: ${PLANNED.join(', ')})`);
  return PLANNED.filter((s) => names.includes(s));
}

export function register(program: Command): void {
  const batch = program.command('batch').description('plan, fill and inspect the LLM requests of the stages (online, Batch API, or export for vLLM)');
  withConfigOptions(
    batch
      .command('plan [stages...]')
      .description(`the requests each stage needs that the cache does not hold yet, with tokens and cost online vs batch (stages: ${PLANNED.join(', ')}; default all)`)
      .option('--kb <file>', 'hint KB (default: output.kbPath, else re2llm/<dataset>.hints.json beside the config)'),
  ).action(async (stages: string[], flags: { config?: string; set?: string[]; kb?: string }, cmd: Command) => {
    const io = ioFor(cmd);
    const resolved = resolveFromCli(flags);
    const { plans, kbPath } = await plansForConfig(resolved, parseStages(stages), { logger: io.logger, ...(flags.kb ? { kbPath: flags.kb } : {}) });
    const total: PlanEstimate = { stage: 'total', requests: 0, promptTokens: 0, completionTokens: 0, onlineCost: 0, batchCost: 0 };
    for (const { estimate: e } of plans) {
      total.requests += e.requests;
      total.promptTokens += e.promptTokens;
      total.completionTokens += e.completionTokens;
      total.onlineCost += e.onlineCost;
      total.batchCost += e.batchCost;
    }
    const out = { kbPath, model: resolved.config.llm.model, stages: plans.map((p) => ({ ...p.estimate, notes: p.plan.notes })), total };
    io.result(out, () => [
      `model ${out.model}; KB ${kbPath}`,
      ...plans.flatMap((p) => [formatEstimate(p.estimate), ...p.plan.notes.map((n) => `  (${n})`)]),
      formatEstimate(total),
    ].join('\n'));
  });
}
