import type { Command } from 'commander';
import { ioFor } from './shared';

export function register(program: Command): void {
  program
    .command('import')
    .description('import a dataset folder and report items, sessions per split, skipped rows and the content hash')
    .argument('<dataset>', 'dataset folder or re2llm.config.json')
    .action(async (dataset: string, _opts: unknown, cmd: Command) => {
      const io = ioFor(cmd);
      throw new Error(`import ${dataset}: not implemented yet (${io.opts.json ? 'json' : 'text'})`);
    });
}
