/**
 * `re2llm config`: the resolved configuration (defaults < file < environment < --set), where each
 * non-default value came from, the JSON Schema, or the list of every setting.
 */
import type { Command } from 'commander';
import { ioFor, resolveFromCli, withConfigOptions } from './shared';
import { configJsonSchema, settingsHelp } from '../../core/config/resolve';

export function register(program: Command): void {
  withConfigOptions(
    program
      .command('config')
      .description('print the resolved configuration and where each value came from (--schema: the JSON Schema; --list: every setting)')
      .option('--schema', 'print the JSON Schema of re2llm.config.json')
      .option('--list', 'list every setting with its default and description')
      .addHelpText('after', `\nSettings (dotted keys for --set and re2llm.config.json sections):\n${settingsHelp()}`),
  ).action((flags: { config?: string; set?: string[]; schema?: boolean; list?: boolean }, cmd: Command) => {
    const io = ioFor(cmd);
    if (flags.schema) return io.result(configJsonSchema(), () => JSON.stringify(configJsonSchema(), null, 2));
    if (flags.list) return io.result({ settings: settingsHelp() }, settingsHelp());
    const r = resolveFromCli(flags);
    const sources = Object.entries(r.sources).map(([k, s]) => `  ${k}  <- ${s}`).join('\n');
    io.result({ config: r.config, configFile: r.configFile ?? null, baseDir: r.baseDir, sources: r.sources }, () =>
      `${JSON.stringify(r.config, null, 2)}\n\nconfig file: ${r.configFile ?? '(none)'}\nnon-default values:\n${sources || '  (none)'}`);
  });
}
