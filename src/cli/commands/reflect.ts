/**
 * `re2llm reflect [--config C] [--target-hints N] [--max-sessions N] [--json]`: grows the hint KB
 * by reflection on training sessions (core: runReflection). Resumable: the checkpoint lives in
 * `<output.runsDir>/reflect-<dataset>-<settings hash>/` (or --run-dir), so running the same command
 * again continues; Ctrl-C stops after keeping the checkpoint.
 */
import { CommanderError, type Command } from 'commander';
import { estimateAndCheck, fillerFor } from './budget';
import { pendingCount } from '../../core/plan';
import { mayFillReflectionAhead } from '../../core/run/stagePlans';
import { STOP_REASON_TEXT } from '../../core/reflect/stopText';
import { reflectionHasWork, roundFiller } from '../../core/run/reflectStage';
import { join, resolve as resolvePath } from 'node:path';
import { ioFor, resolveForLlm, withConfigOptions } from './shared';
import { loadDataset } from '../../core/data/load';
import { openLlmClient } from '../../core/llm/open';
import { llmHealthText } from '../../core/llm/progressText';
import { runReflection } from '../../core/reflect/runReflection';
import { checkpointKey } from '../../core/reflect/checkpoint';
import type { ReflectionProgress, ReflectionSummary } from '../../core/reflect/types';
import { defaultKbPath } from '../../core/run/paths';
import { runController } from '../../core/util/abort';

interface ReflectFlags {
  config?: string;
  set?: string[];
  targetHints?: string;
  maxSessions?: string;
  maxCalls?: string;
  maxCost?: string;
  kb?: string;
  runDir?: string;
}

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${v}"`);
  return n;
}

export function register(program: Command): void {
  withConfigOptions(
    program
      .command('reflect')
      .description('build the hint KB by reflection on training sessions (resumable: run it again to continue)')
      .option('--target-hints <n>', 'stop when the KB holds this many hints (default: reflection.targetHints)')
      .option('--max-sessions <n>', 'draw at most this many training sessions (default: reflection.maxSessions)')
      .option('--max-calls <n>', 'stop after this many LLM calls; cached answers are free (default: reflection.maxCalls). With llm.executor=batch, round 1 is not batched ahead when its lines alone pass it')
      .option('--max-cost <amount>', 'stop once the kept sessions cost this much (llm.inputCostPerMTok/outputCostPerMTok; default: no limit). Sessions run ahead stop once the open ones would reach it, but what a session costs is not known early in a run, so a small budget is passed: on hetrec against the simulator at gpt-4o-mini prices, at llm.concurrency 64 1.6x a budget of 0.002 and 1.3x one of 0.02, at 4 1.4x and 1.03x (what was asked is cached for the next run). With llm.executor=batch the rounds are cut at the budget too, counting only the sessions before each, and round 1 is not batched ahead (hetrec under 0.01: 1.56x in 9 batches; ml-100k-recbole under 0.005: 1.08x in 20)')
      .option('--kb <file>', 'KB file to grow (default: output.kbPath, else re2llm/<dataset>.hints.json beside the config)')
      .option('--run-dir <dir>', 'checkpoint folder (default: <output.runsDir>/reflect-<dataset>-<settings hash>)'),
  ).action(async (flags: ReflectFlags, cmd: Command) => {
    const io = ioFor(cmd);
    const logger = io.logger;
    const { config, baseDir } = resolveForLlm(cmd, flags, {
      'reflection.targetHints': positiveInt('target-hints', flags.targetHints),
      'reflection.maxSessions': positiveInt('max-sessions', flags.maxSessions),
      'reflection.maxCalls': positiveInt('max-calls', flags.maxCalls),
    });
    const maxCost = flags.maxCost === undefined ? undefined : Number(flags.maxCost);
    if (maxCost !== undefined && !(maxCost >= 0)) throw new Error(`--max-cost must be a non-negative number, got "${flags.maxCost}"`);
    const dataset = await loadDataset(config, { logger });
    const kbPath = flags.kb ? resolvePath(flags.kb) : defaultKbPath(config, baseDir, dataset.name);
    // Round 1's estimate (reflection's own caps stop it mid-run: --max-calls, --max-cost).
    const plan = await estimateAndCheck(io, { config, baseDir, sources: {} }, 'reflect', {}, { dataset });
    const filler = await fillerFor(io, { config, baseDir, sources: {} });
    const client = await openLlmClient(config, { logger });
    const key = checkpointKey(config, dataset.hash, kbPath, client.describe());
    const runDir = flags.runDir ? resolvePath(flags.runDir) : join(config.output.runsDir, `reflect-${dataset.name}-${key.slice(0, 8)}`);
    // llm.executor=batch: round 1 (the base answer of every session reflection may draw) as one
    // batch first, unless a budget leaves no room for it (mayFillReflectionAhead: that round
    // alone was 300 lines, $0.0135 on hetrec under --max-cost 0.01) or the run has nothing to do
    // (a KB at its target, no failed session to ask again).
    const prefill = filler.fill && pendingCount(plan) && mayFillReflectionAhead(plan, config, maxCost) && (await reflectionHasWork({ dataset, client, config, kbPath, runDir }));
    const paidAhead = prefill ? ((await filler.fill!(plan)) ?? []) : [];
    logger.log('info', `reflection on ${dataset.name} (${dataset.splits.train.length} training sessions) with ${client.describe().model}; KB ${kbPath}; checkpoint ${runDir}`);

    const bar = io.progress('reflect', Math.min(config.reflection.maxSessions, dataset.splits.train.length));
    const onProgress = (p: ReflectionProgress): void => {
      const rej = p.rejected;
      bar.update(
        p.sessionIndex,
        p.sessions,
        `KB ${p.kbSize}/${p.targetHints}, accepted ${p.accepted}, rejected ${rej.ineffective + rej.leak + rej.redundant + rej.empty + rej.overlong}, calls ${p.calls}, cached ${p.cacheHits}${llmHealthText(p)}${p.failedSessions ? `, sessions skipped ${p.failedSessions}` : ''}`,
      );
    };
    const controller = runController();
    const onSigint = (): void => controller.abort();
    process.once('SIGINT', onSigint);
    let summary: ReflectionSummary;
    try {
      summary = await runReflection({
        dataset, client, config, kbPath, runDir, logger, signal: controller.signal, onProgress,
        ...(maxCost !== undefined ? { maxCost } : {}),
        // llm.executor=batch: each later round (turns, effectiveness checks) is a plan for the Batch API too.
        ...(filler.fill && config.llm.executor === 'batch' ? { fillRound: roundFiller(filler.fill, { dataset, config }) } : {}),
        ...(paidAhead.length ? { paidAhead } : {}),
      });
    } finally {
      process.removeListener('SIGINT', onSigint);
      bar.stop();
    }
    io.result(summary, () => formatSummary(summary));
    if (summary.stopReason === 'cancelled') throw new CommanderError(130, 're2llm.cancelled', '');
  });
}

function formatSummary(s: ReflectionSummary): string {
  const r = s.rejected;
  const u = s.thisRun;
  return [
    `Reflection stopped: ${STOP_REASON_TEXT[s.stopReason]}.`,
    `  sessions tried    ${s.sessionsTried} (${s.errorSessions} error sessions${s.failedSessions ? `, ${s.failedSessions} skipped after a failed LLM request` : ''})${s.resumed ? ', resumed from a checkpoint' : ''}`,
    `  hints proposed    ${s.proposed}`,
    `  accepted          ${s.accepted}`,
    `  rejected          ineffective ${r.ineffective}, leak ${r.leak}, redundant ${r.redundant}, empty ${r.empty}, overlong ${r.overlong}`,
    `  this run          ${u.calls} calls, ${u.cacheHits} cached, ${u.tokens} tokens, cost ${u.cost.toFixed(4)}, ${(u.wallMs / 1000).toFixed(1)} s`,
    `  all runs          ${s.total.calls} calls, ${s.total.tokens} tokens, cost ${s.total.cost.toFixed(4)} (${s.keptCalls} for the sessions kept; the rest ran ahead for sessions past the stop)`,
    `  KB                ${s.kbPath} (${s.kbSize} enabled hints)`,
    ...(s.mergeSkipped.length ? [`  not written       ${s.mergeSkipped.map((m) => `${m.id} (${m.reason})`).join(', ')}`] : []),
  ].join('\n');
}
