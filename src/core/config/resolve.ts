/**
 * One resolver for the CLI, the worker and the extension:
 * defaults < config file < settings/environment < command-line flags.
 * Later layers are partial; each is checked against the schema before merging so an error names
 * the layer (file path, "VS Code settings", "--flag") and the JSON path of the bad field.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { CONFIG_SPEC, defaultConfig, type Re2llmConfig } from './defaults';
import { schemaOf, leaves } from './spec';
import { InputError } from '../util/errors';


/** The published schema for `re2llm.config.json`. */
export function configJsonSchema(): Record<string, unknown> {
  const root = schemaOf(CONFIG_SPEC) as { properties: Record<string, unknown> };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://re2llm-studio.invalid/schemas/config.schema.json',
    title: 'Re2LLM Studio configuration',
    type: 'object',
    properties: { $schema: { type: 'string' }, ...root.properties },
    additionalProperties: false,
  };
}

let validator: ((v: unknown) => boolean) & { errors?: ErrorObject[] | null } | undefined;
function validate(value: unknown): ErrorObject[] {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(configJsonSchema());
  return validator(value) ? [] : (validator.errors ?? []);
}

export function formatAjvErrors(errors: ErrorObject[]): string {
  return errors
    .map((e) => {
      const path = e.instancePath || '/';
      const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : '';
      const allowed = e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
      return `${path}: ${e.message}${extra}${allowed}`;
    })
    .join('; ');
}

export interface ConfigLayer {
  /** Where the values come from, for error messages and the resolved-config record. */
  source: string;
  /** Nested partial config, or flat dotted keys ("llm.model": "x"). */
  values: Record<string, unknown>;
}

export interface ResolvedConfig {
  config: Re2llmConfig;
  /** Folder that relative paths were resolved against. */
  baseDir: string;
  configFile?: string;
  /** Dotted key -> the layer that set it (only for non-default values). */
  sources: Record<string, string>;
}

/** Turns {"llm.model": "x"} into {llm: {model: "x"}}; nested input passes through. */
function unflatten(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(values)) {
    if (v === undefined) continue;
    const parts = key.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) {
      node[p] ??= {};
      node = node[p] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1]!;
    if (v && typeof v === 'object' && !Array.isArray(v) && node[last] && typeof node[last] === 'object') {
      Object.assign(node[last] as object, v);
    } else node[last] = v;
  }
  return out;
}

const LEAF_KEYS = new Set(leaves(CONFIG_SPEC).map(([k]) => k));

function merge(target: Record<string, unknown>, layer: Record<string, unknown>, source: string, sources: Record<string, string>, prefix = ''): void {
  for (const [k, v] of Object.entries(layer)) {
    if (k === '$schema') continue;
    const key = prefix ? `${prefix}.${k}` : k;
    if (LEAF_KEYS.has(key)) {
      target[k] = structuredClone(v);
      sources[key] = source;
    } else if (v && typeof v === 'object' && !Array.isArray(v)) {
      target[k] ??= {};
      merge(target[k] as Record<string, unknown>, v as Record<string, unknown>, source, sources, key);
    }
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read config: ${(err as Error).message}`, path);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('top level must be an object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new InputError(`invalid JSON: ${(err as Error).message}`, path);
  }
}

/** Keys whose values are paths, resolved against the config file's folder (or cwd). */
const PATH_KEYS: Array<[keyof Re2llmConfig, string]> = [
  ['dataset', 'path'],
  ['llm', 'cacheDir'],
  ['encoder', 'modelPath'],
  ['output', 'runsDir'],
  ['output', 'kbPath'],
];

export function resolveConfig(opts: { configFile?: string; layers?: ConfigLayer[]; cwd?: string } = {}): ResolvedConfig {
  const cwd = opts.cwd ?? process.cwd();
  const config = defaultConfig() as unknown as Record<string, unknown>;
  const sources: Record<string, string> = {};
  const all: ConfigLayer[] = [];
  let baseDir = cwd;
  let configFile: string | undefined;
  if (opts.configFile) {
    configFile = isAbsolute(opts.configFile) ? opts.configFile : resolvePath(cwd, opts.configFile);
    baseDir = dirname(configFile);
    all.push({ source: configFile, values: readConfigFile(configFile) });
  }
  all.push(...(opts.layers ?? []));
  for (const layer of all) {
    const nested = unflatten(layer.values);
    const errors = validate(nested);
    if (errors.length) throw new InputError(`invalid configuration: ${formatAjvErrors(errors)}`, layer.source);
    merge(config, nested, layer.source, sources);
  }
  const resolved = config as unknown as Re2llmConfig;
  for (const [section, key] of PATH_KEYS) {
    const sec = resolved[section] as Record<string, unknown>;
    const v = sec[key];
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) sec[key] = resolvePath(baseDir, v);
  }
  return { config: resolved, baseDir, configFile, sources };
}

/** VS Code `contributes.configuration` properties, derived from the same table. */
export function vscodeConfiguration(): Record<string, Record<string, unknown>> {
  const props: Record<string, Record<string, unknown>> = {};
  for (const [key, leaf] of leaves(CONFIG_SPEC)) {
    if (!leaf.vscode) continue;
    const { description, ...rest } = leaf.schema as { description: string } & Record<string, unknown>;
    props[`re2llm.${key}`] = { ...rest, markdownDescription: description };
  }
  return props;
}

/** `--help` text for every setting: key, default, description. */
export function settingsHelp(): string {
  return leaves(CONFIG_SPEC)
    .map(([key, leaf]) => `  ${key} (default ${JSON.stringify(leaf.default)})\n      ${leaf.description}`)
    .join('\n');
}
