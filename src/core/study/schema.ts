/**
 * The JSON Schema of a study file, derived from the settings table so that an axis, a variant
 * or the base settings can name any setting and are checked against that setting's own schema
 * (VS Code shows the same errors through `jsonValidation`; `re2llm study` through ajv).
 * `npm run generate:study` writes it to schemas/study.schema.json; a test fails on drift.
 */
import { CONFIG_SPEC } from '../config/defaults';
import { leaves } from '../config/spec';

/** The seeds a study may vary, one per stage that draws random numbers. */
export const SEED_PATHS = ['agent.seed', 'dataset.seed', 'evaluation.seed'] as const;

/** Settings the study runner owns for each cell (its folders); a study file may not set them. */
export const STUDY_OWNED_SETTINGS: ReadonlySet<string> = new Set(['output.runsDir']);

function settingSchemas(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [key, leaf] of leaves(CONFIG_SPEC)) if (!STUDY_OWNED_SETTINGS.has(key)) out[key] = leaf.schema;
  return out;
}

export function studyJsonSchema(): Record<string, unknown> {
  const settings = settingSchemas();
  const settingsObject = {
    type: 'object',
    description: 'Settings as dotted keys ("agent.steps": 600), validated against each setting\'s schema.',
    properties: settings,
    additionalProperties: false,
  };
  const axes = Object.fromEntries(Object.entries(settings).map(([k, s]) => [k, { type: 'array', minItems: 1, items: s, description: `Values of ${k}: ${String(s.description ?? '')}` }]));
  const side = {
    type: 'object',
    required: ['condition'],
    properties: { condition: { type: 'string' }, variant: { type: 'string' } },
    additionalProperties: false,
  };
  const metric = { type: 'string', pattern: '^(HR@[0-9]+|NDCG@[0-9]+|MRR)$' };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://re2llm-studio.invalid/schemas/study.schema.json',
    title: 'Re2LLM Studio study',
    description: 'A grid of runs (axes x variants x seeds) with the tables and figures to report. Run it with `re2llm study FILE`.',
    type: 'object',
    required: ['name', 'base'],
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      name: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'Study name (the default study folder is re2llm-studies/<name>).' },
      description: { type: 'string' },
      base: {
        type: 'object',
        additionalProperties: false,
        description: 'The configuration every cell starts from.',
        properties: {
          config: { type: 'string', description: 'A re2llm.config.json, relative to the study file.' },
          settings: settingsObject,
        },
      },
      llm: { enum: ['simulated', 'config'], default: 'config', description: 'simulated: start the in-process simulated LLM (like re2llm demo); config: the base configuration\'s endpoint.' },
      axes: { type: 'object', properties: axes, additionalProperties: false, description: 'Setting path -> list of values; the grid is their Cartesian product.' },
      seeds: {
        type: 'object',
        required: ['vary', 'values'],
        additionalProperties: false,
        properties: {
          vary: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...SEED_PATHS] }, description: 'Which seeds take each value: agent init and sampling, dataset split and negatives, test sample and random-hint.' },
          values: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer' } },
        },
      },
      variants: {
        type: 'array',
        minItems: 1,
        description: 'Named ablations: each overrides settings (after the axes). Setting output.kbPath uses that KB as it is, without reflection.',
        items: {
          type: 'object',
          required: ['name', 'settings'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1 }, description: { type: 'string' }, settings: settingsObject },
        },
      },
      metrics: { type: 'array', minItems: 1, items: metric, default: ['NDCG@10', 'HR@10'] },
      conditions: { type: 'array', minItems: 1, items: settings['evaluation.conditions']!.items as Record<string, unknown> },
      comparisons: {
        type: 'array',
        items: {
          type: 'object',
          required: ['a', 'b'],
          additionalProperties: false,
          properties: { name: { type: 'string' }, a: side, b: side, metric },
        },
      },
      figures: {
        type: 'array',
        items: {
          oneOf: [
            {
              type: 'object', required: ['kind', 'x', 'y', 'condition'], additionalProperties: false,
              properties: { kind: { const: 'heatmap' }, title: { type: 'string' }, x: { type: 'string' }, y: { type: 'string' }, condition: { type: 'string' }, variant: { type: 'string' }, metric },
            },
            {
              type: 'object', required: ['kind', 'x', 'lines'], additionalProperties: false,
              properties: {
                kind: { const: 'curves' }, title: { type: 'string' }, x: { type: 'string' }, metric,
                lines: {
                  type: 'array', minItems: 1,
                  items: { type: 'object', required: ['condition'], additionalProperties: false, properties: { condition: { type: 'string' }, variant: { type: 'string' }, label: { type: 'string' }, dashed: { type: 'boolean' } } },
                },
              },
            },
          ],
        },
      },
      study: {
        type: 'object',
        additionalProperties: false,
        properties: {
          parallel: { type: 'integer', minimum: 1, maximum: 16, default: 1, description: 'Cells run at once (each still bounded by llm.concurrency).' },
          bootstrap: { type: 'integer', minimum: 10, default: 2000, description: 'Paired bootstrap resamples for the comparisons.' },
        },
      },
    },
  };
}
