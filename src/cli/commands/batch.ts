/**
 * `re2llm batch plan [STAGE...]`: what the LLM stages will ask, before anything is spent: per
 * stage the requests not in the response cache yet, their tokens (~4 characters per token) and
 * cost at online and batch (50%) prices. Training is planned over the KB file as it is now.
 *
 * `batch export STAGE... -o FILE` writes those requests as OpenAI batch JSONL (custom_id = cache
 * key) for vLLM's offline runner or any engine that reads the format, and the openai encoder's
 * embeddings as `/v1/embeddings` lines in a second file; `batch import FILE [STAGE...]` reads an
 * output file of either kind back into the cache, refusing a line that answers no planned request
 * or embedding;
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
import { batchEmbeddingLine, batchInputLine, importOutputText } from '../../core/llm/batchLines';
import { batchUrl, cancelPendingBatches, readBatches } from '../../core/llm/batchExecutor';
import type { EmbeddingFillRequest, FillRequest } from '../../core/llm/executor';

const PLANNED = ['reflect', 'train', 'evaluate'] as const;
type PlannedStage = (typeof PLANNED)[number];

/** requests.jsonl -> requests.embeddings.jsonl (the embeddings lines' file beside the chat one). */
function embeddingsFileFor(out: string): string {
  return out.replace(/(\.jsonl)?$/, '.embeddings.jsonl');
}

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
      .description('write the stages\' uncached requests as OpenAI batch JSONL (custom_id = cache key) for vLLM\'s run-batch or any batch engine; the openai encoder\'s embeddings go to a second file')
      .requiredOption('-o, --out <file>', 'JSONL file to write (chat completions)')
      .option('--embeddings-out <file>', 'JSONL file for the embeddings lines, when the plans have any (default: the -o file with .embeddings.jsonl)')
      .option('--kb <file>', 'hint KB (default: output.kbPath, else re2llm/<dataset>.hints.json beside the config)'),
  ).action(async (stages: string[], flags: { config?: string; set?: string[]; kb?: string; out: string; embeddingsOut?: string }, cmd: Command) => {
    const io = ioFor(cmd);
    const resolved = resolveFromCli(flags);
    const { llm } = resolved.config;
    const { plans } = await plansForConfig(resolved, parseStages(stages), { logger: io.logger, ...(flags.kb ? { kbPath: flags.kb } : {}) });
    const seen = new Set<string>();
    /** Each key once, across the stages. */
    const fresh = <R extends { cacheKey: string }>(rs: R[]): R[] =>
      rs.filter((r) => {
        if (seen.has(r.cacheKey)) return false;
        seen.add(r.cacheKey);
        return true;
      });
    const chatUrl = batchUrl(llm.baseUrl, '/chat/completions');
    const lines = fresh(plans.flatMap((p) => p.plan.requests)).map((r) => batchInputLine(llm, r, chatUrl));
    // Embeddings in a file of their own: a Batch API file names one endpoint, and vLLM's
    // run-batch serves one model (the embedding model is another).
    const embUrl = batchUrl(llm.baseUrl, '/embeddings');
    const embLines = fresh(plans.flatMap((p) => p.plan.embeddings ?? [])).map((e) => batchEmbeddingLine(e, embUrl));
    const out = resolvePath(flags.out);
    await writeFileAtomic(out, lines.length ? lines.join('\n') + '\n' : '');
    const embOut = embLines.length ? resolvePath(flags.embeddingsOut ?? embeddingsFileFor(flags.out)) : undefined;
    if (embOut) await writeFileAtomic(embOut, embLines.join('\n') + '\n');
    io.result({ file: out, requests: lines.length, ...(embOut ? { embeddingsFile: embOut } : {}), embeddings: embLines.length }, () => [
      `${lines.length} requests written to ${out} (answer them with e.g. \`vllm run-batch -i ${flags.out} -o out.jsonl --model ${llm.model}\`, then \`re2llm batch import out.jsonl\`)`,
      ...(embOut ? [`${embLines.length} embeddings written to ${embOut} (e.g. \`vllm run-batch -i ${embOut} -o embeddings-out.jsonl --model ${llm.embeddingModel}\`, then \`re2llm batch import embeddings-out.jsonl\`)`] : []),
    ].join('\n'));
  });

  withConfigOptions(
    batch
      .command('import <file> [stages...]')
      .description('read a batch output file (chat completions or embeddings) into the response cache; every line must answer a request or embedding of the stages\' plan')
      .option('--kb <file>', 'hint KB (default: output.kbPath, else re2llm/<dataset>.hints.json beside the config)'),
  ).action(async (file: string, stages: string[], flags: { config?: string; set?: string[]; kb?: string }, cmd: Command) => {
    const io = ioFor(cmd);
    const resolved = resolveFromCli(flags);
    const { plans } = await plansForConfig(resolved, parseStages(stages), { logger: io.logger, ...(flags.kb ? { kbPath: flags.kb } : {}) });
    const planned = { requests: new Map<string, FillRequest>(), embeddings: new Map<string, EmbeddingFillRequest>() };
    for (const p of plans) {
      for (const r of p.plan.requests) planned.requests.set(r.cacheKey, r);
      for (const e of p.plan.embeddings ?? []) planned.embeddings.set(e.cacheKey, e);
    }
    const path = resolvePath(file);
    const cache = await ResponseCache.open(resolved.config.llm.cacheDir);
    const rep = await importOutputText(await readFile(path, 'utf8'), path, planned, cache);
    io.result(rep, () => `${rep.imported} answers imported into the cache in ${resolved.config.llm.cacheDir}${rep.embeddings ? ` (${rep.embeddings} of them embeddings)` : ''}; ${rep.failed} failed line(s) (asked online by the stage)${rep.cached ? `; ${rep.cached} already in the cache (not written again)` : ''}`);
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
