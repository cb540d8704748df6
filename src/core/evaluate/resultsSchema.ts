/**
 * Checks a value against the published `schemas/results.schema.json` (what the results panel,
 * the report and `re2llm export` may rely on). Returns messages with JSON paths; empty = valid.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import resultsSchema from '../../../schemas/results.schema.json';

export { resultsSchema };

let validator: ValidateFunction | undefined;

export function validateResultsFile(value: unknown): string[] {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(resultsSchema);
  if (validator(value)) return [];
  return (validator.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
}
