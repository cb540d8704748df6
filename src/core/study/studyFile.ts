/**
 * Reads and checks a study file: JSON, then the schema (each error names its JSON path), then
 * what a schema cannot say (a seed both varied and on an axis, a comparison naming a variant
 * that does not exist, a figure over a setting that is not an axis).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import type { StudyFile, StudyVariant } from '../../protocol/study';
import { formatAjvErrors } from '../config/resolve';
import { InputError } from '../util/errors';
import { studyJsonSchema } from './schema';

export interface LoadedStudy {
  file: StudyFile;
  /** Absolute path of the study file. */
  path: string;
  dir: string;
  /** The base config file, absolute (undefined: defaults only). */
  configFile?: string;
  variants: StudyVariant[];
  metrics: string[];
}

/** The variant a study without variants runs as. */
export const DEFAULT_VARIANT = 'default';
export const DEFAULT_METRICS = ['NDCG@10', 'HR@10'];

let validator: ((v: unknown) => boolean) & { errors?: ErrorObject[] | null } | undefined;

export function validateStudy(value: unknown, source: string): StudyFile {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(studyJsonSchema());
  if (!validator(value)) throw new InputError(`invalid study: ${formatAjvErrors(validator.errors ?? [])}`, source);
  const study = value as StudyFile;
  const problems: string[] = [];
  const axes = Object.keys(study.axes ?? {});
  for (const s of study.seeds?.vary ?? []) if (axes.includes(s)) problems.push(`/axes/${s}: also in /seeds/vary; vary it in one place`);
  const variants = (study.variants ?? []).map((v) => v.name);
  const dup = variants.find((n, i) => variants.indexOf(n) !== i);
  if (dup) problems.push(`/variants: the name "${dup}" is used twice`);
  const known = variants.length ? variants : [DEFAULT_VARIANT];
  const checkVariant = (where: string, v: string | undefined): void => {
    if (v !== undefined && !known.includes(v)) problems.push(`${where}/variant: "${v}" is not a variant (${known.join(', ')})`);
  };
  (study.comparisons ?? []).forEach((c, i) => {
    checkVariant(`/comparisons/${i}/a`, c.a.variant);
    checkVariant(`/comparisons/${i}/b`, c.b.variant);
  });
  (study.figures ?? []).forEach((f, i) => {
    const axis = (where: string, k: string): void => {
      if (!axes.includes(k)) problems.push(`/figures/${i}/${where}: "${k}" is not an axis (${axes.join(', ') || 'none'})`);
    };
    axis('x', f.x);
    if (f.kind === 'heatmap') {
      axis('y', f.y);
      checkVariant(`/figures/${i}`, f.variant);
    } else f.lines.forEach((l, j) => checkVariant(`/figures/${i}/lines/${j}`, l.variant));
  });
  if (problems.length) throw new InputError(`invalid study: ${problems.join('; ')}`, source);
  return study;
}

export function parseStudy(text: string, path: string): LoadedStudy {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`invalid JSON: ${(err as Error).message}`, path);
  }
  const file = validateStudy(value, path);
  const dir = dirname(path);
  return {
    file, path, dir,
    ...(file.base.config ? { configFile: isAbsolute(file.base.config) ? file.base.config : resolvePath(dir, file.base.config) } : {}),
    variants: file.variants?.length ? file.variants : [{ name: DEFAULT_VARIANT, settings: {} }],
    metrics: file.metrics ?? DEFAULT_METRICS,
  };
}

export function loadStudyFile(path: string): LoadedStudy {
  const abs = resolvePath(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read study: ${(err as Error).message}`, abs);
  }
  return parseStudy(text, abs);
}
