/**
 * Sidebar parameters: only the values the user changed are kept (a diff against the resolved
 * config), so a later config-file or settings change shows through for the others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIDEBAR_PARAMS, type SidebarParams } from '../../../src/protocol/webview';
import { paramLeaf, paramLimits, paramsLayer, paramsOf, paramValueValid } from '../../../src/extension/host/sidebarParams';
import { defaultConfig } from '../../../src/core/config/defaults';
import { PARAMS_KEY } from '../../../src/extension/host/studio';
import { hostWorkspace, kbOf, settle } from '../fakes/workspace';

async function shown(w: ReturnType<typeof hostWorkspace>): Promise<SidebarParams> {
  await w.studio.sidebar.receive({ type: 'sidebar/ready' });
  const last = w.posted.at(-1)!;
  assert.equal(last.type, 'sidebar/state');
  return last.state.params;
}

test('a changed sidebar value is kept; untouched ones follow later config changes', async () => {
  const w = hostWorkspace(kbOf(['h-1', 'Prefer sequels.']));
  const before = await shown(w);
  await w.studio.sidebar.receive({ type: 'sidebar/start', action: 'train', params: { ...before, "agent.steps": 777 } });
  await settle(w.studio);
  assert.deepEqual(w.vs.mementoStore.get(PARAMS_KEY), { "agent.steps": 777 });
  // The settings change two parameters afterwards; only the one the user never touched follows.
  w.vs.setSetting('reflection.targetHints', { workspaceValue: before["reflection.targetHints"] + 11 });
  w.vs.setSetting('agent.steps', { workspaceValue: 4242 });
  const after = await shown(w);
  assert.equal(after["reflection.targetHints"], before["reflection.targetHints"] + 11, 'a config change was overridden by a value the user never changed');
  assert.equal(after["agent.steps"], 777);
  const ctx = w.core.calls.find((c) => c.fn === 'train')!.ctx!;
  assert.equal(ctx.config.agent.steps, 777);
});

test('values the sidebar showed from an older config do not become overrides; a value set back to the config is dropped', async () => {
  const w = hostWorkspace(kbOf(['h-1', 'Prefer sequels.']));
  const before = await shown(w);
  // The config changes after the sidebar rendered; the user starts without touching anything.
  w.vs.setSetting('evaluation.testSample', { workspaceValue: before["evaluation.testSample"] + 5 });
  w.core.dataset = { name: 'toy', hash: 'h' } as never;
  await w.studio.sidebar.receive({ type: 'sidebar/start', action: 'evaluate', params: before });
  assert.deepEqual(w.vs.mementoStore.get(PARAMS_KEY), {});
  const ctx = w.core.calls.find((c) => c.fn === 'evaluate')!.ctx!;
  assert.equal(ctx.config.evaluation.testSample, before["evaluation.testSample"] + 5);

  const now = await shown(w);
  await w.studio.sidebar.receive({ type: 'sidebar/start', action: 'evaluate', params: { ...now, "reflection.maxCalls": 9 } });
  assert.deepEqual(w.vs.mementoStore.get(PARAMS_KEY), { "reflection.maxCalls": 9 });
  await shown(w);
  await w.studio.sidebar.receive({ type: 'sidebar/start', action: 'evaluate', params: { ...now } });
  assert.deepEqual(w.vs.mementoStore.get(PARAMS_KEY), {}, 'a value set back to the config value is still an override');
});

test('a full parameter set stored by an older version is ignored', async () => {
  const w = hostWorkspace();
  w.vs.mementoStore.set('re2llm.sidebarParams', { reflectTargetHints: 1, reflectMaxCalls: 1, trainSteps: 1, agentPreset: 'paper', evalTestSample: 1 });
  w.vs.mementoStore.set('re2llm.sidebarParamsChanged', { trainSteps: 1 });
  const p = await shown(w);
  assert.notEqual(p["agent.steps"], 1);
});

test('the sidebar parameters are settings of the settings table: kind, enum and range derive from it', () => {
  for (const e of SIDEBAR_PARAMS) {
    const leaf = paramLeaf(e.key);
    const schema = leaf.schema as { type: string; enum?: string[]; minimum?: number };
    if ('options' in e) assert.deepEqual([...e.options], schema.enum, e.key);
    else assert.equal(schema.type, 'integer', e.key);
  }
  const limits = paramLimits();
  assert.deepEqual(limits['reflection.targetHints'], { minimum: 1 });
  assert.deepEqual(limits['evaluation.testSample'], { minimum: 0 });
  const config = defaultConfig();
  assert.deepEqual(paramsOf(config), { 'reflection.targetHints': config.reflection.targetHints, 'reflection.maxCalls': config.reflection.maxCalls, 'agent.steps': config.agent.steps, 'agent.preset': config.agent.preset, 'evaluation.testSample': config.evaluation.testSample });
  // The layer a job gets uses the settings' own keys.
  assert.deepEqual(paramsLayer({ 'agent.steps': 7 }).values, { 'agent.steps': 7 });
  assert.equal(paramValueValid('reflection.targetHints', 0), false);
  assert.equal(paramValueValid('evaluation.testSample', 0), true);
  assert.equal(paramValueValid('agent.preset', 'ppo'), false);
});

test('a value outside its setting\'s range is not stored and does not reach the job', async () => {
  const w = hostWorkspace(kbOf(['h-1', 'Prefer sequels.']));
  const before = await shown(w);
  await w.studio.sidebar.receive({ type: 'sidebar/start', action: 'train', params: { ...before, 'agent.steps': 0 } });
  await settle(w.studio);
  assert.deepEqual(w.vs.mementoStore.get(PARAMS_KEY), {});
  assert.ok(w.vs.logLines.some((l) => l.level === 'warn' && /agent\.steps = 0 is outside/.test(l.message)));
  assert.equal(w.core.calls.find((c) => c.fn === 'train')!.ctx!.config.agent.steps, before['agent.steps']);
});
