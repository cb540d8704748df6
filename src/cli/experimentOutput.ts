/**
 * How `run` and `demo` show a running experiment in a terminal: one line per stage, a progress
 * bar per stage, and the summary at the end.
 */
import type { CliIO, Progress } from './io';
import type { ExperimentEvent, ExperimentSummary } from '../core/run/runExperiment';
import { formatMetricTable } from '../core/evaluate/format';
import { llmHealthText, llmSummaryText, trainCallsText, trainProgressCalls } from '../core/llm/progressText';

export function experimentEventPrinter(io: CliIO): { onEvent: (e: ExperimentEvent) => void; stop: () => void } {
  const bars = new Map<string, Progress>();
  const bar = (key: string, label: string, total: number): Progress => {
    let b = bars.get(key);
    if (!b) bars.set(key, (b = io.progress(label, total)));
    return b;
  };
  const onEvent = (e: ExperimentEvent): void => {
    switch (e.kind) {
      case 'start':
        io.logger.log('info', `[${e.stage}] ${e.detail}`);
        break;
      case 'skip':
        io.logger.log('info', `[${e.stage}] skipped: ${e.detail}`);
        break;
      case 'done':
        for (const [k, b] of bars) if (k.startsWith(e.stage)) b.stop();
        io.logger.log('info', `[${e.stage}] done in ${e.seconds.toFixed(1)}s`);
        break;
      case 'progress':
        if (e.stage === 'reflect') {
          const p = e.progress;
          bar('reflect', 'reflect', p.sessions).update(p.sessionIndex, p.sessions, `hints ${p.kbSize}/${p.targetHints} calls ${p.calls}${llmHealthText(p)}${p.failedSessions ? `, sessions skipped ${p.failedSessions}` : ''}`);
        } else if (e.stage === 'train') {
          const p = e.progress;
          const v = p.validationReward !== null ? ` val ${p.validationReward.toFixed(4)}` : '';
          bar('train', 'train', p.totalSteps).update(p.step, p.totalSteps, `reward ${p.meanReward.toFixed(4)}${v} calls ${trainProgressCalls(p)}/${p.callBound}${llmHealthText(p)}`);
        } else if (e.stage === 'evaluate') {
          const p = e.progress;
          if (p.phase === 'rank') bar(`evaluate:${p.condition}`, p.condition, p.total).update(p.done, p.total, `calls ${p.usage.calls}${llmHealthText(p.usage)}`);
        }
        break;
      case 'fill':
        bar(`${e.stage}:fill`, `${e.stage}: asking ahead`, e.total).update(e.done, e.total, `calls ${e.usage.calls}${llmHealthText(e.usage)}`);
        break;
      default: {
        const never: never = e;
        throw new Error(`unhandled event ${JSON.stringify(never)}`);
      }
    }
  };
  return { onEvent, stop: () => bars.forEach((b) => b.stop()) };
}

export function formatExperimentSummary(s: ExperimentSummary): string {
  const lines = [
    `dataset ${s.dataset.name} (${s.dataset.items} items; sessions train ${s.dataset.train} / validation ${s.dataset.validation} / test ${s.dataset.test}; hash ${s.dataset.hash.slice(0, 12)})`,
    `hint KB ${s.kbPath}: ${s.kbHints} enabled hints`,
  ];
  if (s.training) {
    lines.push(`agent ${s.training.runDir}: ${s.training.steps} steps, best validation reward ${s.training.bestValidationReward?.toFixed(4) ?? 'n/a'}` +
      `${s.training.skipped ? ' (reused)' : `, LLM calls ${trainCallsText(s.training)} (bound ${s.training.callBound}${llmSummaryText(s.training)})`}`);
  }
  if (s.evaluation) lines.push('', formatMetricTable(s.evaluation.results), '', `results ${s.evaluation.runDir}/results.json${s.evaluation.skipped ? ' (reused)' : ''}`);
  if (s.reportPath) lines.push(`report  ${s.reportPath}`);
  // The training worker counts its own calls; a reused training made none in this run.
  const health = s.training ? llmSummaryText(s.training).slice(2) : '';
  const worker = s.training && !s.training.skipped ? `; in the training worker: ${s.training.calls}${health ? ` (${health})` : ''}` : '';
  const stages = (['reflect', 'train', 'evaluate'] as const).filter((k) => s.spend[k]);
  if (stages.length) {
    const money = (x: number): string => `$${x.toFixed(4)}`;
    const total = stages.reduce((t, k) => t + s.spend[k]!.cost, 0);
    // What each stage paid, its plan asked ahead included (the reward table counts for training).
    lines.push(`LLM spend by stage: ${stages.map((k) => `${k} ${s.spend[k]!.calls} calls ${money(s.spend[k]!.cost)}`).join(', ')}; total ${money(total)}`);
  }
  lines.push(`LLM calls in this process: ${s.usage.calls} (cache hits ${s.usage.cacheHits}${s.usage.retries ? `, retries ${s.usage.retries}` : ''}${s.usage.failures ? `, failed ${s.usage.failures}` : ''})${worker}; wall time ${s.seconds.toFixed(1)}s`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
