import { Command } from 'commander';
import { ioFor } from './shared';
import { writeReport } from '../../core/report/write';

export function register(program: Command): void {
  program
    .command('report')
    .description('write a self-contained HTML report (tables, charts, sessions) of a run; more runs are shown side by side for comparison')
    .argument('<run>', 'run folder holding results.json')
    .argument('[compare...]', 'more run folders to compare with (the first run is the reference)')
    .option('-o, --out <file>', 'output file (default: <run>/report.html)')
    .action(async (run: string, compare: string[], opts: { out?: string }, cmd: Command) => {
      const io = ioFor(cmd);
      const r = await writeReport(run, { out: opts.out, compareWith: compare, logger: io.logger });
      io.result({ report: r.path, bytes: r.bytes, runs: r.runs }, `Report: ${r.path}`);
    });
}
