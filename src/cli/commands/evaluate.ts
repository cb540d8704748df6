/**
 * `re2llm evaluate [--config C] [--agent RUN] [--conditions a,b] [--json]`: runs the evaluation
 * (src/core/evaluate/runEvaluation.ts) on the test split and prints the metric table; results.json
 * and predictions.jsonl go to a new run folder (or --out).
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { ioFor, resolveForLlm, withConfigOptions } from './shared';
import { loadDataset } from '../../core/data/load';
import { openLlmClient } from '../../core/llm/open';
import { llmHealthText } from '../../core/llm/progressText';
import { loadKbFile, type HintKb } from '../../core/kb';
import { budgetFlags, estimateAndCheck, fillerFor } from './budget';
import { fillPendingPlan } from '../../core/run/stagePlans';
import { ALL_CONDITIONS, parseConditions, type EvaluationProgress } from '../../core/evaluate/runEvaluation';
import { formatMetricTable } from '../../core/evaluate/format';
import type { Progress } from '../io';
import { defaultKbPath, timestampedRunName } from '../../core/run/paths';
import { evaluateStage } from '../../core/run/evaluateStage';
import { reportStage } from '../../core/run/reportStage';
import type { StageContext } from '../../core/run/stage';
import { CONDITIONS } from '../../protocol/conditions';
import { version } from '../../../package.json';
import { runController } from '../../core/util/abort';

interface EvaluateFlags {
  config?: string;
  set?: string[];
  agent?: string;
  conditions?: string;
  kb?: string;
  out?: string;
  sample?: string;
  name?: string;
  maxCalls?: string;
  maxCost?: string;
}

export function register(program: Command): void {
  withConfigOptions(
    program
      .command('evaluate')
      .description('evaluate the LLM conditions and the baselines on the test split; writes results.json and predictions.jsonl to a run folder')
      .option('-a, --agent <run>', 'trained agent run folder (its manifest must match this dataset and KB)')
      .option('--conditions <list>', `comma-separated subset of ${ALL_CONDITIONS.join(',')} (default: evaluation.conditions)`)
      .option('--kb <file>', 'hint KB (default: output.kbPath, else re2llm/<dataset>.hints.json beside the config)')
      .option('-o, --out <dir>', 'run folder to write (default: <output.runsDir>/eval-<time>)')
      .option('--sample <n>', 'evaluate a seeded sample of n test sessions (0: all; default: evaluation.testSample)')
      .option('--name <name>', 'a name for the run, shown in the results panel')
      .option('--max-calls <n>', 'refuse to start when the plan needs more LLM calls than this (cached answers are free)')
      .option('--max-cost <amount>', 'refuse to start when the plan\'s estimated cost is more than this (llm.*CostPerMTok)'),
  ).action(async (flags: EvaluateFlags, cmd: Command) => {
    const io = ioFor(cmd);
    const conditions = flags.conditions !== undefined ? parseConditions(flags.conditions.split(',').map((s) => s.trim()).filter(Boolean)) : undefined;
    const sample = flags.sample !== undefined ? Number(flags.sample) : undefined;
    if (sample !== undefined && !(Number.isInteger(sample) && sample >= 0)) throw new Error(`--sample must be a non-negative integer, got "${flags.sample}"`);
    const resolved = resolveForLlm(cmd, flags, { 'evaluation.conditions': conditions, 'evaluation.testSample': sample });
    const { config, baseDir } = resolved;
    const wanted = config.evaluation.conditions;
    const logger = io.logger;

    const dataset = await loadDataset(config, { logger });
    const kbPath = flags.kb ? resolvePath(flags.kb) : defaultKbPath(config, baseDir, dataset.name);
    let kb: HintKb | undefined;
    if (existsSync(kbPath)) kb = (await loadKbFile(kbPath, dataset.name, { maxHintChars: config.reflection.maxHintChars })).kb;
    else if (wanted.some((c) => CONDITIONS[c].hinted)) logger.log('warn', `no hint KB at ${kbPath}: hinted conditions will be skipped`);

    const budget = budgetFlags(flags);
    const plan = wanted.some((c) => CONDITIONS[c].llm) ? await estimateAndCheck(io, resolved, 'evaluate', budget, { dataset, ...(kb ? { kb } : {}), agent: !!flags.agent }) : undefined;
    if (flags.agent && !kb) throw new Error(`--agent ${flags.agent}: no hint KB at ${kbPath} (the agent's actions are KB hints; pass --kb)`);
    const filler = await fillerFor(io, resolved);
    const client = wanted.some((c) => CONDITIONS[c].llm) ? await openLlmClient(config, { logger }) : undefined;
    // Every condition's answers asked first (online at the concurrency limit through the stage's
    // client, each charged to the condition that reads it first; or as a batch).
    const paidAhead = plan && client ? await fillPendingPlan(plan, { config, client, fill: filler.fill }) : undefined;
    if (paidAhead && config.llm.executor !== 'batch') logger.log('info', `evaluate: ${paidAhead.unreadCount} planned answer(s) asked ahead`);

    const runDir = flags.out ? resolvePath(flags.out) : join(config.output.runsDir, timestampedRunName('eval'));
    const bars = new Map<string, Progress>();
    const onProgress = (p: EvaluationProgress): void => {
      if (p.phase !== 'rank') {
        logger.log('info', `${p.condition}: choosing the hint on validation...`);
        return;
      }
      let bar = bars.get(p.condition);
      if (!bar) bars.set(p.condition, (bar = io.progress(p.condition, p.total)));
      bar.update(p.done, p.total, `calls ${p.usage.calls}, cached ${p.usage.cacheHits}${llmHealthText(p.usage)}`);
      if (p.done === p.total) bar.stop();
    };
    const controller = runController();
    const onSigint = (): void => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      // The one evaluate use case (src/core/run/evaluateStage.ts), then its report, as every front end does.
      const ctx: StageContext = {
        resolved, packageVersion: version, logger, signal: controller.signal,
        onEvent: (e) => { if (e.kind === 'progress' && e.stage === 'evaluate') onProgress(e.progress); },
      };
      const { results } = await evaluateStage(ctx, {
        dataset, kbPath, runDir,
        ...(client ? { client } : {}), ...(kb ? { kb } : {}),
        ...(flags.agent ? { agent: { runDir: resolvePath(flags.agent) } } : {}),
        ...(flags.name ? { name: flags.name } : {}),
        ...(filler.fill && config.llm.executor === 'batch' ? { fill: filler.fill } : {}),
        ...(paidAhead ? { paidAhead } : {}),
      });
      const report = await reportStage(ctx, { evalDir: runDir }).catch((err: Error) => {
        logger.log('warn', `report not written: ${err.message}`);
        return undefined;
      });
      io.result({ runDir, results }, () => `${formatMetricTable(results)}\n\nWrote ${join(runDir, 'results.json')}, predictions.jsonl${report ? ' and report.html' : ''}`);
    } finally {
      process.removeListener('SIGINT', onSigint);
      for (const bar of bars.values()) bar.stop();
    }
  });
}
