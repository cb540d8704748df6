/**
 * The `re2llm` command. A thin adapter: each command parses flags, resolves the config and calls
 * one core function; this folder is the only place that prints.
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands';
import { InputError } from '../core/util/errors';
import { version } from '../../package.json';

export function buildProgram(): Command {
  const program = new Command('re2llm')
    .description('Re2LLM Studio: reflective reinforcement LLM for session-based recommendation (headless CLI)')
    .version(version)
    .option('--json', 'print the result as one JSON document on stdout (logs go to stderr)')
    .option('-q, --quiet', 'only errors and the result')
    .option('-v, --verbose', 'debug logs')
    .option('--trust-config-endpoint', 'allow sending the API key to the llm.baseUrl host that ./re2llm.config.json names')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: false });
  for (const register of COMMANDS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const e = err as Error;
    // The parsed global flags, so `-v` and `-qv` count as --verbose, wherever they stand.
    const globals = program.opts<{ verbose?: boolean; json?: boolean }>();
    const wantJson = globals.json === true || argv.includes('--json');
    if (wantJson) process.stdout.write(JSON.stringify({ error: e.message, kind: e.name }) + '\n');
    process.stderr.write(`re2llm: ${e.message}\n`);
    if (!(err instanceof InputError) && globals.verbose === true && e.stack) process.stderr.write(e.stack + '\n');
    return err instanceof InputError ? 2 : 1;
  }
}

if (require.main === module) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
