/**
 * `re2llm batch plan [STAGE...]`: what the LLM stages will ask, before anything is spent: per
 * stage the requests not in the response cache yet, their tokens (~4 characters per token) and
 * cost at online and batch (50%) prices. Training is planned over the KB file as it is now.
 *
 * `batch export STAGE... -o FILE` writes those requests as OpenAI batch JSONL (custom_id = cache
 * key) for vLLM's offline runner or any engine that reads the format; `batch import FILE [STAGE...]`
 * reads its output back into the cache, refusing a line that answers no planned request;
 * `batch status` / `batch cancel` list and cancel the batches in <output.runsDir>/batches.json.
 */
import type { Command } from 'commander';
import { ioFor, resolveForLlm, resolveFromCli, withConfigOptions } from './shared';
import { plansForConfig } from '../../core/run/stagePlans';
import { formatEstimate, sumEstimates } from '../../core/plan';
import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { writeFileAtomic } from '../../core/util/fs';
import { ResponseCache } from '../../core/llm/cache';
import { batchInputLine, importOutputText } from '../../core/llm/batchLines';
import { cancelPendingBatches, isAzureUrl, readBatches } from '../../core/llm/batchExecutor';
import type { FillRequest } from '../../core/llm/executor';

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
    const total = sumEstimates('total', plans.map((p) => p.estimate));
    const out = { kbPath, model: resolved.config.llm.model, stages: plans.map((p) => ({ ...p.estimate, notes: p.plan.notes })), total };
    io.result(out, () => [
      `model ${out.model}; KB ${kbPath}`,
      ...plans.flatMap((p) => [formatEstimate(p.estimate), ...p.plan.notes.map((n) => `  (${n})`)]),
      formatEstimate(total),
    ].join('\n'));
  });

  withConfigOptions(
    batch
      .command('export [stages...]')
      .description('write the stages\' uncached requests as OpenAI batch JSONL (custom_id = cache key) for vLLM\'s run-batch or any batch engine')
      .requiredOption('-o, --out <file>', 'JSONL file to write')
      .option('--kb <file>', 'hint KB (default: output.kbPath, else re2llm/<dataset>.hints.json beside the config)'),
  ).action(async (stages: string[], flags: { config?: string; set?: string[]; kb?: string; out: string }, cmd: Command) => {
    const io = ioFor(cmd);
    const resolved = resolveFromCli(flags);
    const { plans } = await plansForConfig(resolved, parseStages(stages), { logger: io.logger, ...(flags.kb ? { kbPath: flags.kb } : {}) });
    const url = isAzureUrl(resolved.config.llm.baseUrl) ? '/chat/completions' : '/v1/chat/completions';
    const seen = new Set<string>();
    const lines: string[] = [];
    for (const r of plans.flatMap((p) => p.plan.requests)) {
      if (seen.has(r.cacheKey)) continue;
      seen.add(r.cacheKey);
      lines.push(batchInputLine(resolved.config.llm, r, url));
    }
    const out = resolvePath(flags.out);
    await writeFileAtomic(out, lines.length ? lines.join('\n') + '\n' : '');
    io.result({ file: out, requests: lines.length }, () => `${lines.length} requests written to ${out} (answer them with e.g. \`vllm run-batch -i ${flags.out} -o out.jsonl --model ${resolved.config.llm.model}\`, then \`re2llm batch import out.jsonl\`)`);
  });

  withConfigOptions(
    batch
      .command('import <file> [stages...]')
      .description('read a batch output file into the response cache; every line must answer a request of the stages\' plan')
      .option('--kb <file>', 'hint KB (default: output.kbPath, else re2llm/<dataset>.hints.json beside the config)'),
  ).action(async (file: string, stages: string[], flags: { config?: string; set?: string[]; kb?: string }, cmd: Command) => {
    const io = ioFor(cmd);
    const resolved = resolveFromCli(flags);
    const { plans } = await plansForConfig(resolved, parseStages(stages), { logger: io.logger, ...(flags.kb ? { kbPath: flags.kb } : {}) });
    const planned = new Map<string, FillRequest>();
    for (const p of plans) for (const r of p.plan.requests) planned.set(r.cacheKey, r);
    const path = resolvePath(file);
    const cache = await ResponseCache.open(resolved.config.llm.cacheDir);
    const rep = await importOutputText(await readFile(path, 'utf8'), path, planned, cache);
    io.result(rep, () => `${rep.imported} answers imported into the cache in ${resolved.config.llm.cacheDir}; ${rep.failed} failed line(s) (asked online by the stage)`);
  });

  withConfigOptions(batch.command('status').description('the batches recorded in <output.runsDir>/batches.json: id, state, counts')).action(
    async (flags: { config?: string; set?: string[] }, cmd: Command) => {
      const io = ioFor(cmd);
      const { config } = resolveFromCli(flags);
      const state = await readBatches(config.output.runsDir);
      io.result(state, () =>
        state.batches.length
          ? state.batches.map((b) => `${b.id}  ${b.status.padEnd(11)} ${b.counts.completed}/${b.keys.length} done, ${b.counts.failed} failed  ${b.imported ? 'imported' : 'pending'}  ${b.createdAt}`).join('\n')
          : `no batches in ${config.output.runsDir}`,
      );
    },
  );

  withConfigOptions(batch.command('cancel').description('cancel every unfinished batch recorded in <output.runsDir>/batches.json')).action(
    async (flags: { config?: string; set?: string[] }, cmd: Command) => {
      const io = ioFor(cmd);
      const { config } = resolveForLlm(cmd, flags);
      const ids = await cancelPendingBatches(config, config.output.runsDir);
      io.result({ cancelled: ids }, () => (ids.length ? `cancelled ${ids.join(', ')}` : 'no unfinished batches'));
    },
  );
}
