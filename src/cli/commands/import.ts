import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ioFor, withConfigOptions, resolveFromCli } from './shared';
import { loadDataset } from '../../core/data/load';
import type { SessionDataset } from '../../core/data/types';
import { DATASET_FORMAT_CHOICES } from '../../core/config/datasetFormats';

interface ImportOptions {
  config?: string;
  set?: string[];
  format?: string;
  skipBadRows?: boolean;
}

/** The `re2llm import --json` document. */
interface ImportSummary {
  name: string;
  root: string;
  format: string;
  items: number;
  sessions: { train: number; validation: number; test: number };
  skippedRows: number;
  skippedExamples: string[];
  notes: string[];
  files: string[];
  hash: string;
  importMs: number;
}

export function register(program: Command): void {
  withConfigOptions(
    program
      .command('import')
      .description('import a dataset folder and report items, sessions per split, skipped rows and the content hash')
      .argument('<dataset>', 'dataset folder, or a re2llm.config.json whose dataset.path to import')
      .option('--format <format>', `importer: ${DATASET_FORMAT_CHOICES.join(', ')} (default: dataset.format)`)
      .option('--skip-bad-rows', 'skip malformed rows (counted and reported) instead of stopping at the first'),
  ).action(async (dataset: string, opts: ImportOptions, cmd: Command) => {
    const io = ioFor(cmd);
    const flags: Record<string, unknown> = { 'dataset.format': opts.format, 'dataset.skipBadRows': opts.skipBadRows || undefined };
    const isConfigFile = dataset.endsWith('.json') && existsSync(dataset) && statSync(dataset).isFile();
    // A folder argument overrides dataset.path; it is resolved against the working directory,
    // not the config file's folder, because that is where the user typed it.
    if (!isConfigFile) flags['dataset.path'] = resolve(dataset);
    const { config } = resolveFromCli(isConfigFile ? { ...opts, config: dataset } : opts, flags);
    const started = performance.now();
    const ds = await loadDataset(config, { logger: io.logger });
    const summary = summarise(ds, Math.round(performance.now() - started));
    io.result(summary, () => formatSummary(summary));
  });
}

function summarise(ds: SessionDataset, importMs: number): ImportSummary {
  return {
    name: ds.name,
    root: ds.root,
    format: ds.report.format,
    items: ds.items.size,
    sessions: { train: ds.splits.train.length, validation: ds.splits.validation.length, test: ds.splits.test.length },
    skippedRows: ds.report.skippedRows,
    skippedExamples: ds.report.skippedExamples,
    notes: ds.report.notes,
    files: ds.report.files,
    hash: ds.hash,
    importMs,
  };
}

function formatSummary(s: ImportSummary): string {
  const lines = [
    `${s.name} (${s.format}) from ${s.root}`,
    `  items:      ${s.items}`,
    `  sessions:   train ${s.sessions.train}, validation ${s.sessions.validation}, test ${s.sessions.test}`,
    `  bad rows:   ${s.skippedRows} skipped`,
    ...s.skippedExamples.map((e) => `    - ${e}`),
    `  hash:       ${s.hash}`,
    `  imported in ${s.importMs} ms`,
  ];
  if (s.notes.length) lines.push('  notes:', ...s.notes.map((n) => `    - ${n}`));
  return lines.join('\n');
}
