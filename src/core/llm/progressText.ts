/**
 * The LLM client's health as a progress-line suffix, the same in every stage and front end:
 * retries, failed requests and the current in-flight limit (lowered by 429s). Empty while there
 * is nothing to report, so a clean run's lines read as before.
 */
import type { TrainProgress, TrainSummary } from '../../protocol/worker';
export interface LlmHealth {
  retries?: number;
  failures?: number;
  concurrencyLimit?: number;
}

export function llmHealthText(h: LlmHealth, configuredConcurrency?: number): string {
  const parts: string[] = [];
  if (h.retries) parts.push(`retries ${h.retries}`);
  if (h.failures) parts.push(`failed ${h.failures}`);
  const lowered = h.concurrencyLimit !== undefined && configuredConcurrency !== undefined && h.concurrencyLimit < configuredConcurrency;
  if (h.concurrencyLimit !== undefined && (lowered || parts.length)) parts.push(`limit ${h.concurrencyLimit}`);
  return parts.length ? `, ${parts.join(', ')}` : '';
}

/** A training point's calls: the worker's, and the answers paid ahead of it read so far. */
export function trainProgressCalls(p: Pick<TrainProgress, 'calls' | 'askedAhead'>): string {
  return p.askedAhead ? `${p.calls} + ${p.askedAhead} paid ahead` : `${p.calls}`;
}

/**
 * A training run's LLM calls and cost: the worker's own, and the answers paid for ahead of it
 * (the reward table filled online or as a batch before the worker started) that it read.
 */
export function trainCallsText(s: Pick<TrainSummary, 'calls' | 'cost' | 'askedAhead'>): string {
  const own = `${s.calls}${s.cost ? ` ($${s.cost.toFixed(4)})` : ''}`;
  if (!s.askedAhead?.calls) return own;
  const a = s.askedAhead;
  const total = (s.cost ?? 0) + a.cost;
  return `${s.calls + a.calls}${total ? ` ($${total.toFixed(4)})` : ''}: ${a.calls} paid ahead of the worker, ${own} by the worker`;
}

/**
 * The same health for a finished stage's summary line (the training worker's `TrainSummary`,
 * whose `concurrencyLimit` is the lowest limit it fell to): empty for a clean run.
 */
export function llmSummaryText(h: LlmHealth): string {
  const parts: string[] = [];
  if (h.retries) parts.push(`retries ${h.retries}`);
  if (h.failures) parts.push(`failed ${h.failures}`);
  if (h.concurrencyLimit !== undefined) parts.push(`in-flight limit fell to ${h.concurrencyLimit}`);
  return parts.length ? `, ${parts.join(', ')}` : '';
}
