/**
 * Keyless paths: an endpoint on this machine needs no API key, the simulated LLM (Select
 * Endpoint/Model) starts for each job on the user's own dataset, a remote endpoint without a key
 * is refused with a way out; the sidebar's parameters reach every start, palette included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIMULATED_LLM_KEY } from '../../../src/extension/actions/llmAccess';
import { SECRET_KEY } from '../../../src/extension/host/apiKey';
import { listModels } from '../../../src/extension/host/models';
import { hostWorkspace, kbOf, settle } from '../fakes/workspace';

function keyless(kb = kbOf(['h-1', 'Prefer sequels.'])) {
  const w = hostWorkspace(kb);
  w.vs.secretsStore.delete(SECRET_KEY);
  w.core.dataset = { name: 'toy', hash: 'toyhash0123456789' } as never;
  return w;
}

async function state(w: ReturnType<typeof hostWorkspace>) {
  await w.studio.sidebar.receive({ type: 'sidebar/ready' });
  return w.posted.at(-1)!.state;
}

test('a loopback endpoint needs no key: train and evaluate start, with no key in their context', async () => {
  const w = keyless();
  w.vs.setSetting('llm.baseUrl', { globalValue: 'http://127.0.0.1:11434/v1' });
  const s = await state(w);
  assert.equal(s.endpoint.keyNeeded, false);
  assert.equal(s.endpoint.keySource, 'none');
  await w.handlers['re2llm.train']!();
  await settle(w.studio);
  await w.handlers['re2llm.evaluate']!();
  const train = w.core.calls.find((c) => c.fn === 'train');
  const evaluate = w.core.calls.find((c) => c.fn === 'evaluate');
  assert.ok(train && evaluate, JSON.stringify(w.vs.shown));
  assert.equal(train.apiKey, '');
  assert.equal(evaluate.ctx!.config.llm.baseUrl, 'http://127.0.0.1:11434/v1');
  assert.ok(!w.vs.shown.some((m) => /needs an API key/.test(m.message)));
});

test('a remote endpoint without a key is refused, offering the key or the simulated LLM; the sidebar says why its buttons are off', async () => {
  const w = keyless();
  const s = await state(w);
  assert.equal(s.endpoint.keyNeeded, true);
  await w.handlers['re2llm.reflect']!();
  assert.equal(w.core.calls.filter((c) => c.fn === 'reflect').length, 0);
  const msg = w.vs.shown.find((m) => /needs an API key/.test(m.message));
  assert.ok(msg);
  assert.deepEqual(msg.actions, ['Set API Key', 'Use Simulated LLM']);
});

test('Simulated LLM: chosen in Select Endpoint/Model, every job starts the simulator for the selected dataset and closes it', async () => {
  const w = keyless();
  w.vs.pickAnswers.push((items) => items.find((i) => i.label === 'Simulated LLM'));
  await w.handlers['re2llm.selectEndpoint']!();
  assert.equal(w.vs.mementoStore.get(SIMULATED_LLM_KEY), true);
  assert.deepEqual(w.vs.settingUpdates, [], 'the simulator is no setting a workspace could carry');
  const s = await state(w);
  assert.equal(s.endpoint.simulated, true);
  assert.equal(s.endpoint.keyNeeded, false);
  for (const id of ['re2llm.reflect', 're2llm.evaluate']) await w.handlers[id]!();
  await w.handlers['re2llm.train']!();
  await settle(w.studio);
  const fns = w.core.calls.map((c) => c.fn).filter((f) => f !== 'loadDataset');
  assert.deepEqual(fns, ['startSimulator', 'reflect', 'closeSimulator', 'startSimulator', 'evaluate', 'closeSimulator', 'startSimulator', 'train', 'closeSimulator']);
  for (const c of w.core.calls.filter((x) => x.ctx)) {
    assert.equal(c.ctx!.config.llm.baseUrl, 'http://127.0.0.1:1/v1');
    assert.equal(c.ctx!.config.llm.model, 'sim-llm');
    assert.match(c.ctx!.config.llm.endpointId, /^sim:\/\/v\d+\/toyhash/);
    // The user's dataset, not the bundled example.
    assert.match(c.ctx!.config.dataset.path, /data[\\/]toy$/);
  }
  // Choosing a real endpoint again turns the simulator off.
  w.vs.pickAnswers.push((items) => items.find((i) => i.label === 'Ollama'));
  w.vs.inputAnswers.push('llama3.1:8b');
  await w.handlers['re2llm.selectEndpoint']!();
  assert.equal(w.vs.mementoStore.get(SIMULATED_LLM_KEY), false);
});

test('the sidebar\'s test-sessions value reaches Evaluate from the sidebar and from the palette', async () => {
  const w = keyless();
  w.vs.setSetting('llm.baseUrl', { globalValue: 'http://127.0.0.1:11434/v1' });
  const shown = (await state(w)).params;
  await w.studio.sidebar.receive({ type: 'sidebar/start', action: 'evaluate', params: { ...shown, "evaluation.testSample": 40 } });
  await w.handlers['re2llm.evaluate']!();
  const evals = w.core.calls.filter((c) => c.fn === 'evaluate');
  assert.equal(evals.length, 2);
  for (const e of evals) assert.equal(e.ctx!.config.evaluation.testSample, 40);
  assert.equal((await state(w)).params["evaluation.testSample"], 40);
});

test('the model step lists the endpoint\'s /v1/models (key in the header only), free text when it does not answer', async () => {
  const seen: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    if (req.url === '/v1/models') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'llama3.1:8b' }, { id: 'qwen2.5:7b' }, { id: 'llama3.1:8b' }, { nope: 1 }] }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    assert.deepEqual(await listModels(`${base}/v1/`, 'sk-x-123'), ['llama3.1:8b', 'qwen2.5:7b']);
    assert.equal(seen[0], 'Bearer sk-x-123');
    assert.equal(await listModels(`${base}/nothing`, undefined), undefined);
    assert.equal(await listModels('http://127.0.0.1:1/v1', undefined), undefined, 'nothing listening');
  } finally {
    server.close();
  }
});
