import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, type Re2llmConfig } from '../../../src/core/config/defaults';
import { evaluationKey, reflectionKey, trainKey, type StageKeyInputs } from '../../../src/core/run/stageKeys';

const base = (): StageKeyInputs => ({ config: defaultConfig(), datasetHash: 'd1', packageVersion: '1.0.0' });
const keys = (i: StageKeyInputs) => ({ reflect: reflectionKey(i, '/kb.json'), train: trainKey(i, 'fp'), evaluate: evaluationKey(i, 'fp', trainKey(i, 'fp')) });

function changed(edit: (c: Re2llmConfig) => void): Record<string, boolean> {
  const a = keys(base());
  const i = base();
  edit(i.config);
  const b = keys(i);
  return { reflect: a.reflect !== b.reflect, train: a.train !== b.train, evaluate: a.evaluate !== b.evaluate };
}

test('every setting that shapes an answer changes every stage key', () => {
  const all = { reflect: true, train: true, evaluate: true };
  assert.deepEqual(changed((c) => (c.llm.model = 'other')), all);
  assert.deepEqual(changed((c) => (c.llm.temperature = 0.7)), all);
  assert.deepEqual(changed((c) => (c.dataset.itemNoun = 'film')), all, 'domain words fill the prompt');
  assert.deepEqual(changed((c) => (c.prompt.historyLimit = 20)), all);
  assert.deepEqual(changed((c) => (c.parse.mode = 'exact')), all);
  assert.deepEqual(changed((c) => (c.llm.endpointId = 'sim://x')), all);
});

test('agent settings change training and evaluation, not reflection; evaluation settings only evaluation', () => {
  assert.deepEqual(changed((c) => (c.agent.steps = 123)), { reflect: false, train: true, evaluate: true });
  assert.deepEqual(changed((c) => (c.encoder.dim = 64)), { reflect: false, train: true, evaluate: true });
  assert.deepEqual(changed((c) => (c.evaluation.testSample = 10)), { reflect: false, train: false, evaluate: true });
  // A bigger reflection budget continues the same checkpoint.
  assert.deepEqual(changed((c) => (c.reflection.maxCalls = 1)), { reflect: false, train: false, evaluate: false });
});

test('the dataset, the KB and the package version are part of the keys', () => {
  const a = base();
  assert.notEqual(trainKey(a, 'fp'), trainKey(a, 'fp2'));
  assert.notEqual(trainKey(a, 'fp'), trainKey({ ...a, datasetHash: 'd2' }, 'fp'));
  assert.notEqual(evaluationKey(a, 'fp', null), evaluationKey({ ...a, packageVersion: '1.0.1' }, 'fp', null));
  assert.notEqual(evaluationKey(a, 'fp', 'k1'), evaluationKey(a, 'fp', 'k2'));
});
