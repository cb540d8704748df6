import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, type Re2llmConfig } from '../../../src/core/config/defaults';
import { evaluationKey, reflectionKey, trainKey, DOES_NOT_SHAPE_RESULTS, type StageKeyInputs } from '../../../src/core/run/stageKeys';
import { CONFIG_SPEC } from '../../../src/core/config/defaults';
import { leaves } from '../../../src/core/config/spec';
import { createLlmClient } from '../../../src/core/llm/client';
import { ResponseCache } from '../../../src/core/llm/cache';
import { checkpointKey } from '../../../src/core/reflect/checkpoint';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  // Checkpoint selection is applied after training: it re-selects, it does not retrain.
  assert.deepEqual(changed((c) => (c.agent.selection = 'kfold')), { reflect: false, train: false, evaluate: true });
  assert.deepEqual(changed((c) => (c.agent.kfolds = 3)), { reflect: false, train: false, evaluate: true });
  assert.deepEqual(changed((c) => (c.agent.reward = 'hr-gain')), { reflect: false, train: true, evaluate: true }, 'the reward shapes the policy');
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

// ---- every setting is in a key, or on the explicit "does not shape results" list ----

/** Another valid-looking value of a setting, from its default and schema. */
function perturbed(path: string, def: unknown, schema: Record<string, unknown>): unknown {
  if (Array.isArray(schema.enum)) return (schema.enum as string[]).find((v) => v !== def);
  if (typeof def === 'boolean') return !def;
  if (typeof def === 'number') return def + 1;
  if (def === null) return 3;
  if (typeof def === 'string') return /url/i.test(path) ? 'http://127.0.0.1:9/v1' : `${def}x`;
  if (Array.isArray(def)) return def.slice(0, -1);
  if (def && typeof def === 'object') return { ...def, extra: 'x' };
  throw new Error(`no perturbation for ${path}`);
}
function setPath(c: Re2llmConfig, path: string, v: unknown): void {
  const parts = path.split('.');
  let o = c as unknown as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) o = o[p] as Record<string, unknown>;
  o[parts.at(-1)!] = v;
}

/** A canned chat completion, so the real client computes its real cache key without a network. */
const answer = async () => new Response(JSON.stringify({
  id: 'x', object: 'chat.completion', created: 0, model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: '1. a' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
}), { status: 200, headers: { 'content-type': 'application/json' } });

async function allKeys(config: Re2llmConfig, cache: ResponseCache): Promise<Record<string, string>> {
  const i: StageKeyInputs = { config, datasetHash: 'd1', packageVersion: '1.0.0' };
  const client = createLlmClient(config, { cache, apiKey: 'test-key', fetch: answer as typeof fetch });
  const chat = (await client.chat({ messages: [{ role: 'user', content: 'rank these' }], purpose: 'rank' })).key;
  return {
    reflect: reflectionKey(i, '/kb.json'), train: trainKey(i, 'fp'),
    evaluate: evaluationKey(i, 'fp', null), evaluateWithAgent: evaluationKey(i, 'fp', 'agent-key'),
    reflectCheckpoint: checkpointKey(config, 'd1', '/kb.json', client.describe()), chat,
  };
}

test('every setting changes a stage key or the chat cache key, or is listed as not shaping results (with a reason); nothing is both', async () => {
  const cache = await ResponseCache.open(mkdtempSync(join(tmpdir(), 'keys-cache-')));
  const base = await allKeys(defaultConfig(), cache);
  const unkeyed: string[] = [];
  const listedButKeyed: string[] = [];
  const answerNotEverywhere: string[] = [];
  const all = leaves(CONFIG_SPEC);
  for (const [path, leaf] of all) {
    const c = defaultConfig();
    setPath(c, path, perturbed(path, leaf.default, leaf.schema));
    const k = await allKeys(c, cache);
    const changed = Object.keys(k).filter((n) => k[n] !== base[n]);
    const listed = path in DOES_NOT_SHAPE_RESULTS;
    if (changed.length === 0 && !listed) unkeyed.push(path);
    if (changed.length > 0 && listed) listedButKeyed.push(`${path} (${changed.join(', ')})`);
    // What shapes one answer shapes every stage built from answers, and the reflection checkpoint.
    if (changed.includes('chat')) {
      const missing = ['reflect', 'train', 'evaluate', 'reflectCheckpoint'].filter((n) => !changed.includes(n));
      if (missing.length) answerNotEverywhere.push(`${path}: not in ${missing.join(', ')}`);
    }
  }
  assert.deepEqual(unkeyed, [], 'settings in no key: add them to the key of the stage they shape, or to DOES_NOT_SHAPE_RESULTS with a reason');
  assert.deepEqual(listedButKeyed, [], 'listed as not shaping results, yet part of a key');
  assert.deepEqual(answerNotEverywhere, []);
  const known = new Set(all.map(([p]) => p));
  assert.deepEqual(Object.keys(DOES_NOT_SHAPE_RESULTS).filter((p) => !known.has(p)), [], 'the list names only real settings');
  for (const [p, why] of Object.entries(DOES_NOT_SHAPE_RESULTS)) assert.ok(why.length > 10 && !why.includes('\n'), `${p}: a one-line reason`);
});
