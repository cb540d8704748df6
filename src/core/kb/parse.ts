/**
 * Reads KB text with jsonc-parser (so every finding has a character range) and checks it against
 * `schemas/kb.schema.json` with ajv. Semantic checks are in validate.ts.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import kbSchema from '../../../schemas/kb.schema.json';
import type { Diagnostic, HintKb } from './types';

export { kbSchema };

export interface ParsedKb {
  /** The document when it parsed and matched the schema; undefined otherwise. */
  kb?: HintKb;
  /** The jsonc-parser tree (undefined when the text is not JSON at all). */
  root?: Node;
  /** The parsed value when the text is JSON, valid or not (for checks that can still run). */
  value?: unknown;
  /** 'parse' and 'schema' findings. */
  diagnostics: Diagnostic[];
}

let validator: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(kbSchema);
  return validator;
}

export function parseKbText(raw: string): ParsedKb {
  // Editors on Windows may save a UTF-8 BOM. It is read as a space, not cut off, so every
  // diagnostic's character range still points into the text the editor holds.
  const text = raw.charCodeAt(0) === 0xfeff ? ' ' + raw.slice(1) : raw;
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const diagnostics: Diagnostic[] = errors.map((e) => ({
    severity: 'error',
    code: 'parse',
    message: `invalid JSON: ${describeParseError(printParseErrorCode(e.error))}`,
    path: [],
    range: { start: e.offset, end: e.offset + Math.max(1, e.length) },
  }));
  if (!root || diagnostics.length) return { root, diagnostics };
  const value = JSON.parse(text) as unknown;
  const validate = schemaValidator();
  if (!validate(value)) {
    for (const e of dedupeAjv(validate.errors ?? [])) diagnostics.push(schemaDiagnostic(e, root, value));
    return { root, value, diagnostics };
  }
  return { kb: value as HintKb, root, value, diagnostics };
}

function describeParseError(code: string): string {
  const words = code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return code === 'InvalidCommentToken' ? 'comments are not allowed in a KB file' : words;
}

/** ajv reports each failed branch of an enum/type separately; one message per path and keyword is enough. */
function dedupeAjv(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function schemaDiagnostic(e: ErrorObject, root: Node, value: unknown): Diagnostic {
  let path = pointerToPath(e.instancePath, value);
  let message = `${e.message ?? 'invalid'}`;
  let node = findNodeAtLocation(root, path);
  if (e.keyword === 'additionalProperties') {
    const prop = (e.params as { additionalProperty: string }).additionalProperty;
    message = `unknown property "${prop}"`;
    path = [...path, prop];
    // Underline the whole "prop": value pair, the thing to delete.
    node = findNodeAtLocation(root, path)?.parent ?? node;
  } else if (e.keyword === 'required') {
    message = `missing required property "${(e.params as { missingProperty: string }).missingProperty}"`;
  } else if (e.keyword === 'enum') {
    message += `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (e.keyword === 'const') {
    message += `: ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
  }
  const range = node ? { start: node.offset, end: node.offset + node.length } : { start: 0, end: 0 };
  return { severity: 'error', code: 'schema', message: `${formatPath(path)}: ${message}`, path, range };
}

/** "/hints/0/text" -> ['hints', 0, 'text'] (numbers where the parent is an array). */
function pointerToPath(pointer: string, value: unknown): (string | number)[] {
  if (!pointer) return [];
  const out: (string | number)[] = [];
  let cur: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const i = Number(seg);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

/** ['hints', 3, 'text'] -> "hints[3].text"; [] -> "(root)". */
export function formatPath(path: (string | number)[]): string {
  if (!path.length) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** 1-based line and column of a character offset. */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
