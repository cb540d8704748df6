/**
 * `re2llm score --dataset D --answers FILE`: scores recorded answers (JSONL or the authors' log)
 * with no LLM call. Prints n, HR@K / NDCG@K / MRR with bootstrap intervals, and parse rates.
 */
import { Option, type Command } from 'commander';
import { resolve as resolvePath } from 'node:path';
import { ioFor, resolveFromCli, withConfigOptions } from './shared';
import { loadDataset } from '../../core/data/load';
import { readRecordedAnswers } from '../../core/parse/recordedAnswers';
import { scoreAnswers, type ScoreReport } from '../../core/rank/scoreAnswers';
import type { MatchMode } from '../../core/parse/rankedAnswer';

const MODES: MatchMode[] = ['exact', 'normalised', 'fuzzy'];

interface ScoreFlags {
  dataset: string;
  answers: string;
  mode?: MatchMode;
  authorsSplit: 'train' | 'test';
  sessions?: boolean;
  config?: string;
  set?: string[];
}

export function register(program: Command): void {
  withConfigOptions(
    program
      .command('score')
      .description('score recorded LLM answers (JSONL {"session_id","answer"} or the authors\' Label:/Output: log) without calling any LLM')
      .requiredOption('-d, --dataset <dataset>', 'dataset folder, or a re2llm.config.json naming one')
      .requiredOption('-a, --answers <file>', 'recorded answers file')
      .addOption(new Option('-m, --mode <mode>', 'matching of answer lines to candidates: exact is the authors\' scoring (default: parse.mode)').choices(MODES))
      .addOption(new Option('--authors-split <split>', 'split an authors\' log answers (block i is session <split>-<i>)').choices(['train', 'test']).default('train'))
      .option('--sessions', 'with --json: include the per-session ranks and parse details'),
  ).action(async (flags: ScoreFlags, cmd: Command) => {
    const io = ioFor(cmd);
    const isConfigFile = flags.dataset.endsWith('.json');
    const { config } = resolveFromCli(
      { ...flags, config: flags.config ?? (isConfigFile ? flags.dataset : undefined) },
      { 'dataset.path': isConfigFile ? undefined : resolvePath(flags.dataset), 'parse.mode': flags.mode },
    );
    const dataset = await loadDataset(config, { logger: io.logger });
    const recorded = await readRecordedAnswers(flags.answers, { authorsSplit: flags.authorsSplit });
    const report = scoreAnswers(dataset, recorded, {
      mode: config.parse.mode,
      fuzzyThreshold: config.parse.fuzzyThreshold,
      topK: config.prompt.topK,
      ks: config.evaluation.ks,
      bootstrap: config.evaluation.bootstrap,
      seed: config.evaluation.seed,
    });
    for (const m of report.labelMismatches.slice(0, 5)) {
      io.logger.log('warn', `${recorded.file}:${m.line}: label "${m.label}" is not the target title "${m.targetTitle}" of ${m.sessionId}`);
    }
    const { sessions, ...summary } = report;
    io.result(
      { dataset: { name: dataset.name, hash: dataset.hash }, ...summary, ...(flags.sessions ? { sessions } : {}) },
      () => formatReport(report, dataset.name),
    );
  });
}

function formatReport(r: ScoreReport, datasetName: string): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const rows = Object.entries(r.metrics).map(
    ([name, e]) => `  ${name.padEnd(8)} ${e.mean.toFixed(4)}  [${e.ciLow.toFixed(4)}, ${e.ciHigh.toFixed(4)}]`,
  );
  const c = r.counts;
  return [
    `Scored ${r.n} answers from ${r.file} (${r.format}) on ${datasetName}, mode ${r.mode}`,
    `  metric   mean    95% bootstrap CI`,
    ...rows,
    `Parse: ${c.lines} list lines, ${c.matched} matched, ${c.hallucinated} hallucinated (${pct(r.rates.hallucinatedLines)}), ` +
      `${c.duplicates} duplicates (${pct(r.rates.duplicateLines)}), ${c.unparsable} unparsable answers (${pct(r.rates.unparsable)})`,
    ...(r.labelMismatches.length ? [`Label mismatches: ${r.labelMismatches.length}`] : []),
  ].join('\n');
}
