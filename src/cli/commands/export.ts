import { Command, Option } from 'commander';
import { ioFor } from './shared';
import { loadResults } from '../../core/report/write';
import { exportMetricTable, EXPORT_FORMATS, type ExportFormat } from '../../core/report/export';
import { writeFileAtomic } from '../../core/util/fs';
import { InputError } from '../../core/util/errors';

interface ExportOpts {
  format: ExportFormat;
  out?: string;
  ci: 'pm' | 'interval' | 'none';
  digits: string;
}

export function register(program: Command): void {
  program
    .command('export')
    .description('export the metric table of a run as CSV, a LaTeX booktabs table, or JSON')
    .argument('<run>', 'run folder holding results.json')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...EXPORT_FORMATS]).makeOptionMandatory())
    .option('-o, --out <file>', 'write to this file (default: stdout)')
    .addOption(new Option('--ci <style>', 'LaTeX: confidence interval as ± half-width, [lo, hi], or none').choices(['pm', 'interval', 'none']).default('pm'))
    .option('--digits <n>', 'LaTeX: decimals', '3')
    .action(async (run: string, opts: ExportOpts, cmd: Command) => {
      const io = ioFor(cmd);
      const digits = Number(opts.digits);
      if (!Number.isInteger(digits) || digits < 0 || digits > 8) throw new InputError(`--digits expects an integer 0-8, got "${opts.digits}"`, undefined, undefined, 'digits');
      const results = await loadResults(run);
      const text = exportMetricTable(results, opts.format, { ci: opts.ci, digits });
      if (opts.out) {
        await writeFileAtomic(opts.out, text);
        io.logger.log('info', `${opts.format} written: ${opts.out}`);
        io.result({ format: opts.format, out: opts.out, run: results.run.id }, `Exported ${opts.format}: ${opts.out}`);
      } else if (io.opts.json) {
        io.result({ format: opts.format, run: results.run.id, content: text }, '');
      } else {
        process.stdout.write(text);
      }
    });
}
