/**
 * Stage 4, and the one "evaluate" use case of every front end (`re2llm evaluate`, the extension's
 * Evaluate, `runExperiment`): loads the agent when a run folder is given (refusing one trained on
 * another dataset or KB), leaves the agent condition out when there is none, runs every
 * configured condition on the test split and writes results.json, predictions.jsonl and the
 * redacted config.json into the run folder.
 *
 * Without an explicit `runDir` the folder is `eval-<key>`, named by every input that shapes the
 * results, and an existing results.json there is reused.
 */
import { join } from 'node:path';
import type { SessionDataset } from '../data/types';
import type { LlmClient } from '../llm/types';
import { redactUrl } from '../llm/redactUrl';
import { PaidAhead } from '../llm/paidAhead';
import { actionHints, kbFingerprint, type HintKb } from '../kb';
import { writeJsonAtomic, exists } from '../util/fs';
import { runEvaluation } from '../evaluate/runEvaluation';
import { planEvaluationRound, type PlanFill } from '../plan';
import { loadAgentPolicy } from '../evaluate/agentAdapter';
import { agentPolicyFactory } from '../evaluate/agentPolicyFactory';
import type { PolicyFactory } from '../evaluate/agentAdapter';
import { readResults, RESULTS_FILE } from '../evaluate/output';
import type { ResultsFile } from '../../protocol/results';
import { evaluationKey } from './stageKeys';
import { withStageLock } from './stageLock';
import { keyInputs, lockOptions, skipped, timed, type StageContext } from './stage';

export interface EvaluateInput {
  dataset: SessionDataset;
  /** Needed when an LLM condition runs. */
  client?: LlmClient;
  /** Undefined: no KB (the hinted conditions are skipped with a warning). */
  kb?: HintKb;
  kbPath?: string;
  /** A trained agent run folder; `key` (its train key) names the keyed evaluation folder. */
  agent?: { runDir: string; key?: string };
  /** Write here (a fresh evaluation); default: the keyed `eval-<key>` folder, reused when it holds results. */
  runDir?: string;
  /** Recorded in results.json. */
  name?: string;
  /** Replaces the trained-agent loader (tests). */
  policyFactory?: PolicyFactory;
  /** llm.executor=batch: fills the answers the hint-choosing conditions will ask, once chosen. */
  fill?: PlanFill;
  /**
   * The answers fillPendingPlan paid for ahead (asked through `client`, or a batch's lines): each
   * is charged to the condition that reads it first (results.json's per-condition usage), not
   * shown as a cache hit.
   */
  paidAhead?: PaidAhead;
}

export interface EvaluateResult {
  runDir: string;
  skipped: boolean;
  results: ResultsFile;
}

/** The keyed folder of an evaluation (what `runExperiment` reuses). */
export function evaluationRunDir(ctx: StageContext, input: Pick<EvaluateInput, 'dataset' | 'kb' | 'agent'>): string {
  const fp = input.kb ? kbFingerprint(input.kb) : 'no-kb';
  const agentKey = input.agent ? (input.agent.key ?? input.agent.runDir) : null;
  return join(ctx.resolved.config.output.runsDir, `eval-${evaluationKey(keyInputs(ctx, input.dataset.hash), fp, agentKey)}`);
}

/** runEvaluation's fillAhead: one condition's chosen answers as one plan, through the stage's filler. */
function fillAheadWith(fill: PlanFill, planCtx: Parameters<typeof planEvaluationRound>[0], ctx: StageContext, paidAhead: PaidAhead | undefined): NonNullable<Parameters<typeof runEvaluation>[0]['fillAhead']> {
  return async (asks, condition) => {
    const plan = planEvaluationRound(planCtx, asks);
    if (!plan.requests.length) return;
    ctx.logger.log('info', `evaluate: ${condition}: ${plan.requests.length} answers of the hints it chose, filled before it asks them`);
    paidAhead?.recordFilled((await fill(plan)) ?? []);
  };
}

export async function evaluateStage(ctx: StageContext, input: EvaluateInput): Promise<EvaluateResult> {
  const { config } = ctx.resolved;
  const { dataset, kb } = input;
  if (input.paidAhead && input.paidAhead.client !== input.client) throw new Error('evaluateStage: paidAhead was recorded through another client than the stage\'s');
  // Every answer paid ahead of the condition that reads it (the plan filled before the stage, the
  // hint-choosing conditions' batches during it) is charged to that condition.
  const paidAhead = input.paidAhead ?? (input.client ? PaidAhead.forClient(input.client, config.llm) : undefined);
  const client = paidAhead?.claiming();
  const keyed = input.runDir === undefined;
  const runDir = input.runDir ?? evaluationRunDir(ctx, input);
  return withStageLock(runDir, lockOptions(ctx, 'evaluate'), async () => {
    if (keyed && (await exists(join(runDir, RESULTS_FILE)))) {
      const previous = await readResults(runDir);
      // Results holding failed answers are redone: the cache answers the rest, so only the failed
      // requests are asked again.
      const failedBefore = previous.conditions.reduce((n, c) => n + (c.failures ?? 0), 0);
      if (failedBefore === 0) {
        skipped(ctx, 'evaluate', `${join(runDir, RESULTS_FILE)} exists`);
        return { runDir, skipped: true, results: previous };
      }
      ctx.logger.log('info', `evaluate: ${join(runDir, RESULTS_FILE)} holds ${failedBefore} failed answer(s); asking them again`);
    }
    if (input.agent && !kb) throw new Error(`agent ${input.agent.runDir}: no hint KB${input.kbPath ? ` at ${input.kbPath}` : ''} (the agent's actions are KB hints)`);
    const agent = input.agent && kb
      ? await loadAgentPolicy(input.agent.runDir, { dataset, config, ...(client ? { client } : {}), logger: ctx.logger }, input.policyFactory ?? agentPolicyFactory, {
        datasetHash: dataset.hash, kbFingerprint: kbFingerprint(kb), actions: actionHints(kb),
      })
      : undefined;
    const conditions = config.evaluation.conditions.filter((c) => (c === 'agent' ? !!agent : true));
    if (!agent && config.evaluation.conditions.includes('agent')) ctx.logger.log('info', 'evaluate: no trained agent given, so the agent condition is left out');
    const results = await timed(ctx, 'evaluate', conditions.join(', '), () =>
      runEvaluation({
        dataset, config, runDir, conditions, logger: ctx.logger,
        ...(client ? { client } : {}),
        ...(kb ? { kb } : {}),
        ...(input.kbPath ? { kbPath: input.kbPath } : {}),
        ...(agent ? { agent } : {}),
        ...(input.name ? { name: input.name } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...(input.fill ? { fillAhead: fillAheadWith(input.fill, { dataset, config }, ctx, paidAhead) } : {}),
        ...(paidAhead ? { chargedUsage: () => paidAhead.charged() } : {}),
        onProgress: (progress) => ctx.onEvent?.({ stage: 'evaluate', kind: 'progress', progress }),
      }),
    );
    await writeJsonAtomic(join(runDir, 'config.json'), { ...config, llm: { ...config.llm, baseUrl: redactUrl(config.llm.baseUrl) } });
    return { runDir, skipped: false, results };
  });
}
