/**
 * `re2llm kb validate FILE [--dataset D]` (schema + semantic checks; exit 1 on errors) and
 * `re2llm kb import-authors FILE --out KB.json` (the authors' plain array format).
 */
import { CommanderError, type Command } from 'commander';
import { promises as fsp } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { ioFor, resolveFromCli, withConfigOptions } from './shared';
import { loadDataset } from '../../core/data/load';
import { InputError } from '../../core/util/errors';
import { exists, writeFileAtomic } from '../../core/util/fs';
import { formatKb, hasErrors, importAuthorsHints, lineColumnOf, validateKb, type Diagnostic } from '../../core/kb';

interface ValidateFlags {
  dataset?: string;
  config?: string;
  set?: string[];
}

interface ImportFlags {
  out: string;
  dataset?: string;
  force?: boolean;
}

export function register(program: Command): void {
  const kb = program.command('kb').description('check and convert hint knowledge base files');

  withConfigOptions(
    kb
      .command('validate')
      .description('check a KB file: schema, duplicate ids, duplicate or near-duplicate texts, empty or overlong hints, item titles named in hints')
      .argument('<file>', 'KB file (*.hints.json)')
      .option('-d, --dataset <dataset>', 'dataset folder or re2llm.config.json, to check hints for item titles and the dataset name'),
  ).action(async (file: string, flags: ValidateFlags, cmd: Command) => {
    const io = ioFor(cmd);
    const path = resolvePath(file);
    let text: string;
    try {
      text = await fsp.readFile(path, 'utf8');
    } catch (err) {
      throw new InputError(`cannot read KB: ${(err as Error).message}`, path);
    }
    const isConfigFile = flags.dataset?.endsWith('.json');
    const { config } = resolveFromCli(
      { ...flags, config: flags.config ?? (isConfigFile ? flags.dataset : undefined) },
      { 'dataset.path': flags.dataset && !isConfigFile ? resolvePath(flags.dataset) : undefined },
    );
    const dataset = flags.dataset ? await loadDataset(config, { logger: io.logger }) : undefined;
    const diagnostics = validateKb(text, { maxHintChars: config.reflection.maxHintChars, ...(dataset ? { dataset } : {}) });
    const located = diagnostics.map((d) => ({ ...d, ...lineColumnOf(text, d.range.start) }));
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
    io.result({ file: path, valid: !hasErrors(diagnostics), errors, warnings, diagnostics: located }, () => formatDiagnostics(path, located, errors, warnings));
    // Exit 1 without a second message: the diagnostics were the output.
    if (errors > 0) throw new CommanderError(1, 're2llm.kbInvalid', '');
  });

  kb.command('import-authors')
    .description('convert the authors\' plain hint array (first entry "" = no hint) into a KB file with stable ids')
    .argument('<file>', 'JSON array of hint strings')
    .requiredOption('-o, --out <file>', 'KB file to write')
    .option('--dataset <name>', 'dataset name to record in the KB')
    .option('-f, --force', 'overwrite an existing KB file')
    .action(async (file: string, flags: ImportFlags, cmd: Command) => {
      const io = ioFor(cmd);
      const path = resolvePath(file);
      const out = resolvePath(flags.out);
      let array: unknown;
      try {
        array = JSON.parse(await fsp.readFile(path, 'utf8'));
      } catch (err) {
        throw new InputError(`cannot read a JSON array: ${(err as Error).message}`, path);
      }
      if ((await exists(out)) && !flags.force) throw new InputError('exists; pass --force to overwrite it (hand edits would be lost)', out);
      const kbDoc = importAuthorsHints(array, { file: path, ...(flags.dataset ? { dataset: flags.dataset } : {}), createdAt: new Date().toISOString() });
      await writeFileAtomic(out, formatKb(kbDoc));
      io.result({ file: path, out, hints: kbDoc.hints.length, ids: kbDoc.hints.map((h) => h.id) }, `Imported ${kbDoc.hints.length} hints from ${path} into ${out}`);
    });
}

function formatDiagnostics(path: string, diags: (Diagnostic & { line: number; column: number })[], errors: number, warnings: number): string {
  const lines = diags.map((d) => `${path}:${d.line}:${d.column}: ${d.severity} [${d.code}] ${d.message}`);
  lines.push(errors || warnings ? `${errors} error(s), ${warnings} warning(s)` : `${path}: valid`);
  return lines.join('\n');
}
