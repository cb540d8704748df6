import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONDITION_IDS, CONDITION_RUN_ORDER, CONDITIONS, conditionColourIndex, DEFAULT_CONDITIONS, LLM_CONDITION_IDS } from '../../src/protocol/conditions';
import { conditionLabel, shortConditionLabel, UPPER_BOUNDS } from '../../src/protocol/results';
import { defaultConfig } from '../../src/core/config/defaults';
import { configJsonSchema } from '../../src/core/config/resolve';

// The lists below are what the code held by hand before the registry; the derived ones must equal them.
test('the derived condition lists are the ones results.json, the evaluator and the settings always used', () => {
  assert.deepEqual(CONDITION_IDS, ['no-hint', 'random-hint', 'best-fixed-hint', 'agent', 'oracle', 'popularity', 'sknn']);
  assert.deepEqual(CONDITION_RUN_ORDER, ['popularity', 'sknn', 'no-hint', 'random-hint', 'best-fixed-hint', 'agent', 'oracle']);
  assert.deepEqual(LLM_CONDITION_IDS, ['no-hint', 'random-hint', 'best-fixed-hint', 'agent', 'oracle']);
  assert.deepEqual(DEFAULT_CONDITIONS, ['no-hint', 'random-hint', 'best-fixed-hint', 'agent', 'popularity', 'sknn']);
  assert.deepEqual([...UPPER_BOUNDS], ['oracle']);
  assert.deepEqual(defaultConfig().evaluation.conditions, DEFAULT_CONDITIONS);
});

test('the settings schema offers exactly the registered conditions', () => {
  const schema = configJsonSchema() as { properties: { evaluation: { properties: { conditions: { items: { enum: string[] } } } } } };
  assert.deepEqual(schema.properties.evaluation.properties.conditions.items.enum, CONDITION_IDS);
});

test('every condition has its own colour inside the 7-colour palette, and labels fall back to the id', () => {
  const colours = CONDITION_IDS.map((c) => CONDITIONS[c].colour);
  assert.equal(new Set(colours).size, colours.length);
  assert.ok(colours.every((i) => Number.isInteger(i) && i >= 0 && i < 7));
  assert.equal(conditionColourIndex('agent'), 0);
  assert.equal(conditionColourIndex('from-a-newer-build', 6), 6);
  assert.equal(conditionLabel('oracle'), 'Oracle (upper bound)');
  assert.equal(shortConditionLabel('best-fixed-hint'), 'Best fixed');
  assert.equal(shortConditionLabel('toString'), 'toString');
  assert.equal(conditionLabel('toString'), 'toString');
  assert.equal(conditionLabel('from-a-newer-build'), 'from-a-newer-build');
});
