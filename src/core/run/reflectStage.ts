/**
 * Stage 2: grow the KB to `reflection.targetHints` enabled hints by reflection. A KB that already
 * holds enough is the researcher's (possibly hand-edited) and is used as it is. The checkpoint
 * folder `reflect-<key>` resumes a partial run; a bigger budget continues the same one.
 */
import { join } from 'node:path';
import type { SessionDataset } from '../data/types';
import type { Re2llmConfig } from '../config/defaults';
import type { ChatRequest, LlmClient } from '../llm/types';
import type { PaidAnswer } from '../llm/paidAhead';
import { isEnabled, loadKbFile, type HintKb } from '../kb';
import { failedSessionsToRetry, runReflection } from '../reflect/runReflection';
import type { ReflectionSummary } from '../reflect/types';
import { reflectionKey } from './stageKeys';
import { withStageLock } from './stageLock';
import { planReflectionRound, type PlanFill } from '../plan';
import { keyInputs, lockOptions, skipped, timed, type StageContext } from './stage';

export interface ReflectInput {
  dataset: SessionDataset;
  client: LlmClient;
  kbPath: string;
  /**
   * Fills a plan into the response cache (llm.executor=batch): each later round of reflection
   * (turns, effectiveness checks over the sessions still active) is handed to it as one plan.
   */
  fill?: PlanFill;
  /** Answers paid before the stage outside the client (its first round's batch lines): runReflection's `paidAhead`. */
  paidAhead?: readonly PaidAnswer[];
}

export interface ReflectResult {
  kb: HintKb;
  /** Enabled hints in the KB after the stage. */
  enabledHints: number;
  reflection: ReflectionSummary | { skipped: string };
}

export const enabledHints = (kb: HintKb): number => kb.hints.filter(isEnabled).length;

/** The KB file as it is now (an empty KB when the file does not exist). */
export async function readStageKb(kbPath: string, dataset: SessionDataset, maxHintChars: number): Promise<HintKb> {
  return (await loadKbFile(kbPath, dataset.name, { maxHintChars })).kb;
}

/**
 * Whether reflecting on `kbPath` will ask anything: its KB is short of the target, or its
 * checkpoint in `runDir` holds sessions that failed for good, which are asked again. A front end
 * pays for reflection's first round ahead (llm.executor=batch) only then: a KB already at its
 * target paid 300 batch lines on hetrec-mini for a run that stopped at once. `kb`: the KB file as
 * just read (else it is read here).
 */
export async function reflectionHasWork(o: { dataset: SessionDataset; client: LlmClient; config: Re2llmConfig; kbPath: string; runDir: string; kb?: HintKb }): Promise<boolean> {
  const kb = o.kb ?? (await readStageKb(o.kbPath, o.dataset, o.config.reflection.maxHintChars));
  return enabledHints(kb) < o.config.reflection.targetHints || (await failedSessionsToRetry(o)) > 0;
}

export async function reflectStage(ctx: StageContext, input: ReflectInput): Promise<ReflectResult> {
  const { config } = ctx.resolved;
  const { dataset, client, kbPath, fill, paidAhead } = input;
  const before = await readStageKb(kbPath, dataset, config.reflection.maxHintChars);
  const runDir = join(config.output.runsDir, `reflect-${reflectionKey(keyInputs(ctx, dataset.hash), kbPath)}`);
  // A KB at its target is used as it is, unless its own reflection skipped sessions that failed
  // for good: those are asked again (the same test the front ends make before paying ahead).
  if (!(await reflectionHasWork({ dataset, client, config, kbPath, runDir, kb: before }))) {
    const detail = `${kbPath} already holds ${enabledHints(before)} enabled hints`;
    skipped(ctx, 'reflect', detail);
    return { kb: before, enabledHints: enabledHints(before), reflection: { skipped: detail } };
  }
  const reflection = await withStageLock(runDir, lockOptions(ctx, 'reflect'), () =>
    timed(ctx, 'reflect', `growing ${kbPath} to ${config.reflection.targetHints} hints`, () =>
      runReflection({
        dataset, client, config, kbPath, runDir, logger: ctx.logger,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        onProgress: (progress) => ctx.onEvent?.({ stage: 'reflect', kind: 'progress', progress }),
        ...(fill ? { fillRound: roundFiller(fill, { dataset, config }) } : {}),
        ...(paidAhead?.length ? { paidAhead } : {}),
      }),
    ),
  );
  const kb = await readStageKb(kbPath, dataset, config.reflection.maxHintChars);
  return { kb, enabledHints: enabledHints(kb), reflection };
}

/** runReflection's fillRound: each round as one plan (the executor skips what the cache holds). */
export function roundFiller(fill: PlanFill, planCtx: Parameters<typeof planReflectionRound>[0]): (requests: ChatRequest[]) => Promise<PaidAnswer[] | void> {
  return async (requests) => {
    const plan = planReflectionRound(planCtx, requests);
    return plan.requests.length ? fill(plan) : [];
  };
}
