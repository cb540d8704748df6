/**
 * `re2llm plan PILOT [--first N] [--effect 0.01,0.02] [--json]` or `re2llm plan --validation`:
 * how many test sessions an
 * evaluation needs to detect a given effect on the primary metric with 80% power, and what they
 * cost. The pilot is an evaluation run folder (or its results.json): the per-session paired
 * differences of the primary comparisons (evaluation.primary, default agent vs no-hint,
 * random-hint and best-fixed-hint) on its first N sessions give the SD the plan uses (the
 * largest of them, so every primary comparison gets the power). With `--validation` the pilot is
 * the reward table of the validation split (every enabled hint against no hint, through the
 * cached client: free when training asked them, else |validation| x (|KB| + 1) calls), for a plan
 * before any evaluation. Calls and tokens come from the
 * pilot (tokens measured when it made calls, else estimated at 4 characters per token from its
 * prompts and answers); prices from llm.inputCostPerMTok / outputCostPerMTok, except that a
 * loopback endpoint (the simulator, a local model) costs 0 unless those prices were set.
 */
import { effectivePrices, isLoopbackUrl } from '../../core/llm/prices';
import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { ioFor, resolveFromCli, withConfigOptions } from './shared';
import { loadResults } from '../../core/report/write';
import { parsePrimary } from '../../core/evaluate/aggregate';
import { readPredictions } from '../../core/evaluate/output';
import { loadDataset } from '../../core/data/load';
import { buildRankPrompt, rankPromptOptions } from '../../core/prompts/rank';
import { measuredTokens, mdeAt, pilotFromResults, planSessions, type PlanRow, type TokenProfile } from '../../core/metrics/plan';
import { InputError } from '../../core/util/errors';
import type { ResultsFile } from '../../protocol/results';
import type { Re2llmConfig } from '../../core/config/defaults';
import type { Logger } from '../../core/util/log';
import { createLlmClient, ResponseCache } from '../../core/llm';
import { actionHints, loadKbFile } from '../../core/kb';
import { NO_HINT } from '../../core/kb/types';
import { rankWithClient } from '../../core/evaluate/rankWithClient';
import { mapPool } from '../../core/evaluate/pool';
import { clientPoolWidth } from '../../core/llm/widePool';
import { metricFn } from '../../core/metrics/rankMetrics';
import { pilotFromRewards, type PilotComparison } from '../../core/metrics/plan';
import { defaultKbPath } from '../../core/run/paths';
import type { UsageStats } from '../../core/llm/types';

interface PlanFlags {
  config?: string;
  set?: string[];
  first?: string;
  validation?: boolean;
  kb?: string;
  effect: string;
  power: string;
  alpha: string;
}

/** 4 characters per token, from the pilot's no-hint prompts and recorded answers (needs the dataset). */
async function estimatedTokens(runDir: string, results: ResultsFile, config: Re2llmConfig, logger: Logger): Promise<TokenProfile | undefined> {
  if (!config.dataset.path || !existsSync(join(runDir, 'predictions.jsonl'))) return undefined;
  const preds = (await readPredictions(runDir)).filter((p) => p.answer !== undefined);
  if (preds.length === 0) return undefined;
  const dataset = await loadDataset(config, { logger });
  if (dataset.hash !== results.run.dataset.hash) {
    logger.log('warn', `plan: the configured dataset (${dataset.name}) is not the pilot's (${results.run.dataset.name}); tokens not estimated`);
    return undefined;
  }
  const byId = new Map(dataset.splits.test.map((s) => [s.id, s]));
  const opts = rankPromptOptions(config);
  const sample = results.sessions.slice(0, 200).map((s) => byId.get(s.sessionId)).filter((s) => !!s);
  if (sample.length === 0) return undefined;
  const promptChars = sample.reduce((n, s) => n + buildRankPrompt(dataset, s, opts).messages.reduce((m, x) => m + x.content.length, 0), 0) / sample.length;
  const answerChars = preds.reduce((n, p) => n + p.answer!.length, 0) / preds.length;
  return { promptTokens: Math.ceil(promptChars / 4), completionTokens: Math.ceil(answerChars / 4), source: 'estimated' };
}

const fmtInt = (x: number | undefined): string => (x === undefined ? '-' : Math.round(x).toLocaleString('en-US'));
const fmtCost = (x: number | undefined): string => (x === undefined ? '-' : `$${x.toFixed(x < 1 ? 4 : 2)}`);

export function register(program: Command): void {
  withConfigOptions(
    program
      .command('plan')
      .description('sample-size planner: test sessions needed to detect an effect on the primary metric (80% power), and their cost in calls, tokens and money')
      .argument('[pilot]', 'an evaluation run folder or its results.json (the pilot)')
      .option('--first <n>', 'use only the first n sessions of the pilot')
      .option('--validation', 'use the validation split\'s reward table as the pilot (no evaluation needed; asks the LLM through the cache)')
      .option('--kb <file>', 'with --validation: the hint KB (default: output.kbPath, else re2llm/<dataset>.hints.json)')
      .option('--effect <list>', 'minimum effects to detect on evaluation.primaryMetric, comma-separated', '0.01,0.02')
      .option('--power <p>', 'power', '0.8')
      .option('--alpha <a>', 'two-sided significance level', '0.05'),
  ).action(async (pilotArg: string | undefined, flags: PlanFlags, cmd: Command) => {
    const io = ioFor(cmd);
    const resolved = resolveFromCli(flags);
    const { config, sources } = resolved;
    if (flags.validation) return planFromValidation(io, resolved, flags);
    if (!pilotArg) throw new InputError('give a pilot evaluation run (or --validation)', undefined, undefined, 'pilot');
    const { effects, power, alpha } = parseCommon(flags);
    const first = flags.first !== undefined ? Number(flags.first) : undefined;
    if (first !== undefined && !(Number.isInteger(first) && first >= 2)) throw new InputError(`--first must be an integer >= 2, got "${flags.first}"`, undefined, undefined, 'first');

    const pilotPath = resolvePath(pilotArg);
    const runDir = existsSync(pilotPath) && statSync(pilotPath).isFile() ? dirname(pilotPath) : pilotPath;
    const results = await loadResults(pilotPath);
    const metric = config.evaluation.primaryMetric;
    const pairs = parsePrimary(config.evaluation.primary);
    const pilot = pilotFromResults(results, pairs, metric, first);
    if (pilot.length === 0) {
      throw new InputError(`the pilot has no sessions scored under both conditions of any primary comparison (${config.evaluation.primary.join(', ')}); evaluate them first or set evaluation.primary`, join(runDir, 'results.json'), undefined, 'evaluation.primary');
    }
    const sd = Math.max(...pilot.map((p) => p.sd));
    const hints = Math.max(0, (results.run.kb?.hintIds.length ?? 1) - 1);
    const tokens = measuredTokens(results) ?? (await estimatedTokens(runDir, results, config, io.logger));
    const pricesSet = 'llm.inputCostPerMTok' in sources || 'llm.outputCostPerMTok' in sources;
    const endpoint = config.llm.baseUrl || results.run.llm.baseUrl;
    const free = !pricesSet && (isLoopbackUrl(endpoint) || results.run.llm.model === 'sim-llm');
    const priced = effectivePrices({ ...config.llm, baseUrl: endpoint });
    const prices = free ? { inputPerMTok: 0, outputPerMTok: 0 } : { inputPerMTok: priced.inputPerMTok, outputPerMTok: priced.outputPerMTok };
    const rows: PlanRow[] = planSessions({ sd, effects, conditions: config.evaluation.conditions, enabledHints: hints, ...(tokens ? { tokens } : {}), prices, power: { power, alpha } });

    const doc = { pilot: { run: results.run.id, dataset: results.run.dataset.name, sessions: first ?? results.sessions.length, metric, comparisons: pilot.map((p) => ({ ...p, mde: mdeAt(p.sd, p.n, { power, alpha }) })) }, sd, power, alpha, hints, conditions: config.evaluation.conditions, tokens: tokens ?? null, prices: { ...prices, free }, plan: rows };
    io.result(doc, () => {
      const lines = [
        `pilot: ${results.run.id} (${results.run.dataset.name}, ${results.run.llm.model}), ${first !== undefined ? `first ${first} of ` : ''}${results.sessions.length} test sessions, metric ${metric}`,
        ...pilot.map((p) => `  ${p.a} vs ${p.b}: Δ ${(p.diff >= 0 ? '+' : '') + p.diff.toFixed(4)}, paired SD ${p.sd.toFixed(4)} over ${p.n} sessions; MDE at that n: ±${mdeAt(p.sd, p.n, { power, alpha }).toFixed(4)}`),
        `plan: ${Math.round(power * 100)}% power, α = ${alpha} two-sided, paired SD ${sd.toFixed(4)} (the largest above); conditions ${config.evaluation.conditions.join(', ')}; ${hints} enabled hints`,
      ];
      const header = ['effect', 'test sessions', 'calls', 'tokens', 'cost', 'calls +oracle', 'tokens +oracle', 'cost +oracle'];
      const body = rows.map((r) => [`+${r.effect}`, fmtInt(r.sessions), fmtInt(r.withoutOracle.calls), fmtInt(r.withoutOracle.tokens), fmtCost(r.withoutOracle.cost), fmtInt(r.withOracle.calls), fmtInt(r.withOracle.tokens), fmtCost(r.withOracle.cost)]);
      const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
      const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
      lines.push(line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line));
      lines.push(
        tokens
          ? `tokens per answer: ${tokens.promptTokens.toFixed(0)} prompt + ${tokens.completionTokens.toFixed(0)} completion (${tokens.source === 'measured' ? "measured on the pilot's calls" : 'estimated at 4 characters per token from its prompts and answers'})`
          : 'tokens: unknown (the pilot made no calls and its prompts could not be rebuilt: set dataset.path)',
        free
          ? `cost: 0 (loopback endpoint ${endpoint || '(none)'}; set llm.inputCostPerMTok / outputCostPerMTok to price it)`
          : `prices: $${prices.inputPerMTok} / $${prices.outputPerMTok} per million input / output tokens`,
        'calls count every answer once per condition (an upper bound: the cache serves a prompt two conditions share); "+oracle" asks every action per session, which also gives random-hint its exact expectation. best-fixed-hint\'s one-off choice on train+validation is not included (cached from training).',
      );
      return lines.join('\n');
    });
  });
}

function parseCommon(flags: PlanFlags): { effects: number[]; power: number; alpha: number } {
  const effects = flags.effect.split(',').map((x) => Number(x.trim()));
  if (effects.some((e) => !(e > 0))) throw new InputError(`--effect expects positive numbers, got "${flags.effect}"`, undefined, undefined, 'effect');
  const power = Number(flags.power);
  const alpha = Number(flags.alpha);
  if (!(power > 0 && power < 1)) throw new InputError(`--power must be in (0, 1), got "${flags.power}"`, undefined, undefined, 'power');
  if (!(alpha > 0 && alpha < 1)) throw new InputError(`--alpha must be in (0, 1), got "${flags.alpha}"`, undefined, undefined, 'alpha');
  return { effects, power, alpha };
}

/** The plan from the validation split's reward table (see the file comment). */
async function planFromValidation(io: ReturnType<typeof ioFor>, resolved: ReturnType<typeof resolveFromCli>, flags: PlanFlags): Promise<void> {
  const { config, baseDir } = resolved;
  const { effects, power, alpha } = parseCommon(flags);
  const dataset = await loadDataset(config, { logger: io.logger });
  const kbPath = flags.kb ? resolvePath(flags.kb) : defaultKbPath(config, baseDir, dataset.name);
  if (!existsSync(kbPath)) throw new InputError(`no hint KB at ${kbPath} (build one with re2llm reflect, or pass --kb)`, kbPath);
  const kb = (await loadKbFile(kbPath, dataset.name)).kb;
  const hints = actionHints(kb).slice(1);
  const sessions = dataset.splits.validation;
  if (sessions.length < 2 || hints.length === 0) throw new InputError(`the pilot needs at least 2 validation sessions and 1 enabled hint (have ${sessions.length} and ${hints.length})`, dataset.root, undefined, 'dataset.validationFraction');
  const client = createLlmClient(config, { cache: await ResponseCache.open(config.llm.cacheDir), logger: io.logger });
  const rank = rankWithClient({ dataset, client, config });
  const metric = config.evaluation.primaryMetric;
  const fn = metricFn(metric);
  const actions = [NO_HINT, ...hints];
  const pairs = sessions.flatMap((s) => actions.map((h) => ({ s, h })));
  const outcomes = await mapPool(pairs, clientPoolWidth(client, config.llm.concurrency), (p) => rank(p.s, p.h));
  const rewards = sessions.map((_, i) => {
    const base = fn(outcomes[i * actions.length]!.targetRank);
    return hints.map((_, h) => fn(outcomes[i * actions.length + h + 1]!.targetRank) - base);
  });
  const pilot: PilotComparison[] = pilotFromRewards(rewards, hints.map((h) => h.id), metric);
  const usage: UsageStats = client.usage();
  const sd = Math.max(...pilot.map((p) => p.sd));
  const tokens: TokenProfile | undefined = usage.calls > 0 ? { promptTokens: usage.promptTokens / usage.calls, completionTokens: usage.completionTokens / usage.calls, source: 'measured' } : undefined;
  // Unset prices cost 0 on a loopback endpoint (the simulator, a local vLLM), list price elsewhere.
  const prices = effectivePrices(config.llm);
  const free = prices.inputPerMTok === 0 && prices.outputPerMTok === 0;
  const rows = planSessions({ sd, effects, conditions: config.evaluation.conditions, enabledHints: hints.length, ...(tokens ? { tokens } : {}), prices, power: { power, alpha } });
  io.result({ pilot: { split: 'validation', sessions: sessions.length, metric, comparisons: pilot, calls: usage.calls, cacheHits: usage.cacheHits }, sd, power, alpha, hints: hints.length, tokens: tokens ?? null, prices: { ...prices, free }, plan: rows }, () => {
    const lines = [
      `pilot: the validation reward table of ${dataset.name} (${sessions.length} sessions x ${hints.length} hints, ${metric}; ${usage.calls} calls, ${usage.cacheHits} cache hits)`,
      ...pilot.map((p) => `  ${p.a} vs ${p.b}: Δ ${(p.diff >= 0 ? '+' : '') + p.diff.toFixed(4)}, per-session SD ${p.sd.toFixed(4)}`),
      `plan: ${Math.round(power * 100)}% power, α = ${alpha} two-sided, SD ${sd.toFixed(4)} (the larger above; an agent's paired SD is usually of this size)`,
      ...rows.map((r) => `  +${r.effect}: ${fmtInt(r.sessions)} test sessions; ${fmtInt(r.withoutOracle.calls)} calls${r.withoutOracle.cost !== undefined ? `, ${fmtCost(r.withoutOracle.cost)}` : ''}; with the oracle ${fmtInt(r.withOracle.calls)} calls${r.withOracle.cost !== undefined ? `, ${fmtCost(r.withOracle.cost)}` : ''}`),
      tokens ? `tokens per answer: ${tokens.promptTokens.toFixed(0)} prompt + ${tokens.completionTokens.toFixed(0)} completion (measured on this pilot's calls)` : 'tokens: not measured (every answer came from the cache); plan from an evaluation run for costs',
      free ? `cost: 0 (loopback endpoint ${config.llm.baseUrl}; set llm.inputCostPerMTok / outputCostPerMTok to price it)` : `prices: $${prices.inputPerMTok} / $${prices.outputPerMTok} per million input / output tokens`,
    ];
    return lines.join('\n');
  });
}
