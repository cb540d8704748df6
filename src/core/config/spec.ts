/**
 * Declarative building blocks for the settings table in `defaults.ts`. A leaf carries its
 * default, a one-line description and its JSON Schema; the config type, the defaults object,
 * the published JSON Schema, VS Code's `contributes.configuration` and `--help` are all derived
 * from the one table, so they cannot drift apart.
 */
export interface Leaf<T> {
  readonly kind: 'leaf';
  readonly default: T;
  readonly description: string;
  readonly schema: Record<string, unknown>;
  /** Shown in VS Code settings (false for things that only make sense in a config file). */
  readonly vscode: boolean;
}

export type SpecNode = Leaf<unknown> | { readonly [key: string]: SpecNode };

export type InferConfig<S> = S extends Leaf<infer T>
  ? T
  : { -readonly [K in keyof S]: InferConfig<S[K]> };

interface LeafOptions {
  minimum?: number;
  maximum?: number;
  /** Hide from VS Code settings (config-file only). */
  fileOnly?: boolean;
}

function leaf<T>(def: T, description: string, schema: Record<string, unknown>, o: LeafOptions = {}): Leaf<T> {
  const s: Record<string, unknown> = { ...schema, description, default: def };
  if (o.minimum !== undefined) s.minimum = o.minimum;
  if (o.maximum !== undefined) s.maximum = o.maximum;
  return { kind: 'leaf', default: def, description, schema: s, vscode: !o.fileOnly };
}

export const s = {
  str: (def: string, description: string, o?: LeafOptions) => leaf(def, description, { type: 'string' }, o),
  num: (def: number, description: string, o?: LeafOptions) => leaf(def, description, { type: 'number' }, o),
  int: (def: number, description: string, o?: LeafOptions) => leaf(def, description, { type: 'integer' }, o),
  bool: (def: boolean, description: string, o?: LeafOptions) => leaf(def, description, { type: 'boolean' }, o),
  oneOf: <const T extends readonly string[]>(values: T, def: T[number], description: string, o?: LeafOptions) =>
    leaf<T[number]>(def, description, { type: 'string', enum: [...values] }, o),
  intList: (def: number[], description: string, o?: LeafOptions) =>
    leaf(def, description, { type: 'array', items: { type: 'integer', minimum: 1 } }, o),
  strList: <const T extends readonly string[]>(values: T | null, def: T[number][], description: string, o?: LeafOptions) =>
    leaf<T[number][]>(def, description, { type: 'array', items: values ? { type: 'string', enum: [...values] } : { type: 'string' } }, o),
  strMap: (def: Record<string, string>, description: string, o?: LeafOptions) =>
    leaf(def, description, { type: 'object', additionalProperties: { type: 'string' } }, o),
  /** A number or null (e.g. an optional seed). */
  optNum: (def: number | null, description: string, o?: LeafOptions) =>
    leaf<number | null>(def, description, { type: ['number', 'null'] }, o),
};

function isLeaf(n: SpecNode): n is Leaf<unknown> {
  return (n as Leaf<unknown>).kind === 'leaf';
}

/** Every leaf with its dotted path, in table order. */
export function leaves(node: SpecNode, prefix = ''): Array<[string, Leaf<unknown>]> {
  if (isLeaf(node)) return [[prefix, node]];
  const out: Array<[string, Leaf<unknown>]> = [];
  for (const [k, v] of Object.entries(node)) out.push(...leaves(v, prefix ? `${prefix}.${k}` : k));
  return out;
}

export function defaultsOf<S extends SpecNode>(node: S): InferConfig<S> {
  if (isLeaf(node)) return structuredClone(node.default) as InferConfig<S>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = defaultsOf(v as SpecNode);
  return out as InferConfig<S>;
}

/** JSON Schema (draft-07) for a partial config file: every key optional, unknown keys rejected. */
export function schemaOf(node: SpecNode): Record<string, unknown> {
  if (isLeaf(node)) return node.schema;
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) properties[k] = schemaOf(v);
  return { type: 'object', properties, additionalProperties: false };
}
