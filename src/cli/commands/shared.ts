import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { CliIO, type GlobalOptions } from '../io';
import { resolveConfig, type ResolvedConfig, type ConfigLayer } from '../../core/config/resolve';
import { keyDestination } from '../../core/llm/keyPolicy';
import { InputError } from '../../core/util/errors';

/** Global flags (--json, --quiet, --verbose) as seen from inside a subcommand's action. */
export function ioFor(cmd: Command): CliIO {
  return new CliIO(cmd.optsWithGlobals() as GlobalOptions);
}

/** Adds --config and --set key=value (repeatable) to a command. */
export function withConfigOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 're2llm.config.json to use (default: ./re2llm.config.json if present)')
    .option('--set <key=value>', 'override a setting, e.g. --set llm.model=gpt-4o (repeatable; JSON values accepted)', collect, [] as string[]);
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** Parses --set pairs: the value is JSON when it parses, else a string. */
export function parseSets(sets: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of sets) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new Error(`--set expects key=value, got "${pair}"`);
    const raw = pair.slice(i + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      /* a plain string */
    }
    out[pair.slice(0, i)] = value;
  }
  return out;
}

/**
 * defaults < config file < environment (RE2LLM_* not used for secrets) < --set flags < explicit
 * flags the command maps itself (passed as `flags`).
 */
export function resolveFromCli(opts: { config?: string; set?: string[] }, flags: Record<string, unknown> = {}): ResolvedConfig {
  const configFile = opts.config ?? (existsSync('re2llm.config.json') ? 're2llm.config.json' : undefined);
  const layers: ConfigLayer[] = [];
  const env = envLayer();
  if (Object.keys(env).length) layers.push({ source: 'environment', values: env });
  if (opts.set?.length) layers.push({ source: '--set', values: parseSets(opts.set) });
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  if (Object.keys(defined).length) layers.push({ source: 'command-line flags', values: defined });
  return resolveConfig({ configFile, layers });
}

/** Endpoint settings from the environment, so `OPENAI_BASE_URL=... re2llm run` works. */
function envLayer(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (process.env.OPENAI_BASE_URL) out['llm.baseUrl'] = process.env.OPENAI_BASE_URL;
  if (process.env.RE2LLM_MODEL) out['llm.model'] = process.env.RE2LLM_MODEL;
  return out;
}

/**
 * resolveFromCli for commands that call the LLM: refuses a key leaving for a host named by a
 * config file in the current folder (unless --trust-config-endpoint) and names, in one stderr
 * line, the host that receives the key.
 */
export function resolveForLlm(cmd: Command, opts: { config?: string; set?: string[] }, flags: Record<string, unknown> = {}): ResolvedConfig {
  const resolved = resolveFromCli(opts, flags);
  const globals = cmd.optsWithGlobals() as { trustConfigEndpoint?: boolean };
  const dest = keyDestination(resolved, { env: process.env, cwd: process.cwd(), trustConfigEndpoint: globals.trustConfigEndpoint === true });
  if (dest.refusal) throw new InputError(dest.refusal, resolved.configFile, undefined, 'llm.baseUrl');
  if (dest.notice) ioFor(cmd).logger.log('info', dest.notice);
  return resolved;
}
