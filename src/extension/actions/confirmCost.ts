/**
 * Ask before a costly run (issue 12.4): Reflect, Train, Evaluate and Full run compute their plan
 * estimate first (the core's stage plans minus cached answers, as `re2llm run` prints) and, when
 * it passes `re2llm.confirmAboveCost` dollars or `re2llm.confirmAboveCalls` calls, show a modal
 * with the figures. The simulated LLM never asks (nothing is planned); a loopback endpoint asks
 * only if prices were set for it and pass the threshold (calls to it cost nothing).
 */
import { isLoopbackUrl } from '../../core/llm/prices';
import { estimatedCalls } from '../../core/plan/estimate';
import type { PlannedStage, StageEstimate } from '../coreAdapter/api';
import type { Studio } from '../host/studio';
import type { Settings } from '../vscode/types';
import type { PreparedJob } from './runJob';

const CONFIRM_SETTINGS = { cost: 'confirmAboveCost', calls: 'confirmAboveCalls' } as const;

export interface CostThresholds {
  /** Dollars; ask above. */
  cost: number;
  /** LLM calls; ask above (0: calls alone never ask). */
  calls: number;
}

export const DEFAULT_THRESHOLDS: CostThresholds = { cost: 1, calls: 5000 };

/** The thresholds from the settings' most specific layer, defaults for anything missing or invalid. */
export function thresholdsFrom(settings: Settings): CostThresholds {
  const read = (key: string, fallback: number) => {
    const l = settings.inspect(key);
    const v = l?.workspaceFolderValue ?? l?.workspaceValue ?? l?.globalValue ?? l?.defaultValue;
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
  };
  return { cost: read(CONFIRM_SETTINGS.cost, DEFAULT_THRESHOLDS.cost), calls: read(CONFIRM_SETTINGS.calls, DEFAULT_THRESHOLDS.calls) };
}

const usd = (x: number) => `$${x.toFixed(x < 1 ? 4 : 2)}`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');

/**
 * The modal's text when the estimates pass a threshold, else undefined. `executor` picks the
 * price (batch is half); `loopback` endpoints are never stopped by the call count.
 */
export function costQuestion(
  title: string,
  estimates: StageEstimate[],
  t: CostThresholds,
  o: { executor: 'online' | 'batch'; loopback: boolean; endpoint: string },
): { message: string; detail: string } | undefined {
  const calls = estimates.reduce((s, e) => s + estimatedCalls(e, o.executor), 0);
  const cost = estimates.reduce((s, e) => s + (o.executor === 'batch' ? e.batchCost : e.onlineCost), 0);
  const overCost = cost > t.cost;
  const overCalls = !o.loopback && t.calls > 0 && calls > t.calls;
  if (!overCost && !overCalls) return undefined;
  const lines = estimates.map(
    (e) =>
      `${e.stage}: ${int(estimatedCalls(e, o.executor))} calls, ~${int(e.promptTokens)} prompt + ~${int(e.completionTokens)} answer tokens` +
      `${e.embeddings ? `, ${int(e.embeddings)} texts to embed (~${int(e.embeddingTokens)} tokens)` : ''}, ${usd(o.executor === 'batch' ? e.batchCost : e.onlineCost)}`,
  );
  const why = [overCost ? `above re2llm.${CONFIRM_SETTINGS.cost} (${usd(t.cost)})` : '', overCalls ? `above re2llm.${CONFIRM_SETTINGS.calls} (${int(t.calls)})` : ''].filter(Boolean).join(' and ');
  return {
    message: `${title} will make about ${int(calls)} LLM calls to ${o.endpoint}, an estimated ${usd(cost)} (${o.executor} prices). Start?`,
    detail: `${lines.join('\n')}\n\nAsked because the estimate is ${why}. Answers already cached are not counted; later reflection rounds and answers that depend on the trained agent come on top.`,
  };
}

/** True when the job may start: nothing to ask, or the user chose Start. An estimate that fails does not block (the job reports its own error). */
export async function confirmCost(s: Studio, p: PreparedJob, stages: PlannedStage[]): Promise<boolean> {
  if (p.access.kind === 'simulated') return true;
  const config = p.wc.resolved.config;
  let estimates: StageEstimate[];
  try {
    estimates = await s.core.estimateStages(p.wc.resolved, stages, p.kbPath);
  } catch (err) {
    s.vs.log.warn(`${p.title}: no cost estimate (${(err as Error).message}); starting without asking`);
    return true;
  }
  let host = config.llm.baseUrl;
  try {
    host = new URL(config.llm.baseUrl).host;
  } catch {
    /* keep the raw value */
  }
  const q = costQuestion(p.title, estimates, thresholdsFrom(s.vs.settings), { executor: config.llm.executor, loopback: isLoopbackUrl(config.llm.baseUrl), endpoint: `${config.llm.model} on ${host}` });
  s.vs.log.info(`${p.title}: estimate ${estimates.map((e) => `${e.stage} ${estimatedCalls(e, config.llm.executor)} calls ${usd(e.onlineCost)}`).join('; ') || 'nothing to ask'}`);
  if (!q) return true;
  const ok = await s.vs.ui.confirm(`Re2LLM: ${q.message}`, q.detail, 'Start');
  if (!ok) s.vs.log.info(`${p.title}: not started (the estimate was declined)`);
  return ok;
}
