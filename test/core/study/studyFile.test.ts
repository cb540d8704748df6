import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseStudy, loadStudyFile } from '../../../src/core/study/studyFile';
import { studyJsonSchema } from '../../../src/core/study/schema';

const ROOT = join(__dirname, '..', '..', '..');
const parse = (v: unknown) => parseStudy(JSON.stringify(v), '/x/bad.study.json');

test('the published schema is the one derived from the settings table (npm run generate:study)', () => {
  assert.deepEqual(JSON.parse(readFileSync(join(ROOT, 'schemas', 'study.schema.json'), 'utf8')), studyJsonSchema());
});

test('an unknown setting, a bad value or a missing field is refused with its JSON path', () => {
  assert.throws(() => parse({ name: 's', base: {}, axes: { 'agent.stepz': [1] } }), /\/x\/bad\.study\.json: invalid study: \/axes: must NOT have additional properties "agent.stepz"/);
  assert.throws(() => parse({ name: 's', base: {}, axes: { 'agent.preset': ['bandit', 'ppo2'] } }), /\/axes\/agent\.preset\/1: must be equal to one of the allowed values \(bandit, paper\)/);
  assert.throws(() => parse({ name: 's', base: { settings: { 'agent.steps': 0 } } }), /\/base\/settings\/agent\.steps: must be >= 1/);
  assert.throws(() => parse({ base: {} }), /\/: must have required property 'name'/);
  assert.throws(() => parse({ name: 's', base: {}, seeds: { vary: ['llm.seed'], values: [1] } }), /\/seeds\/vary\/0: must be equal to one of the allowed values/);
  assert.throws(() => parse({ name: 's', base: { settings: { 'output.runsDir': 'x' } } }), /additional properties "output.runsDir"/, 'the runner owns the cell folders');
});

test('what the schema cannot say: a seed on an axis, an unknown variant, a figure over a non-axis', () => {
  assert.throws(() => parse({ name: 's', base: {}, axes: { 'agent.seed': [1, 2] }, seeds: { vary: ['agent.seed'], values: [1] } }), /\/axes\/agent\.seed: also in \/seeds\/vary/);
  assert.throws(() => parse({ name: 's', base: {}, comparisons: [{ a: { condition: 'agent', variant: 'full' }, b: { condition: 'no-hint' } }] }), /\/comparisons\/0\/a\/variant: "full" is not a variant \(default\)/);
  assert.throws(() => parse({ name: 's', base: {}, axes: { 'agent.steps': [1] }, figures: [{ kind: 'heatmap', x: 'agent.steps', y: 'agent.hidden', condition: 'agent' }] }), /\/figures\/0\/y: "agent.hidden" is not an axis/);
  assert.throws(() => parse({ name: 's', base: {}, variants: [{ name: 'a', settings: {} }, { name: 'a', settings: {} }] }), /"a" is used twice/);
  assert.throws(() => parseStudy('{"name": ', '/x/t.study.json'), /\/x\/t\.study\.json: invalid JSON/);
});

test('every example study is valid', () => {
  const dir = join(ROOT, 'examples', 'studies');
  const files = readdirSync(dir).filter((f) => f.endsWith('.study.json'));
  assert.ok(files.length >= 3, files.join(', '));
  for (const f of files) assert.doesNotThrow(() => loadStudyFile(join(dir, f)), f);
});
