/**
 * Sidebar parameters: only the values the user changed are kept (a diff against the resolved
 * config), so a later config-file or settings change shows through for the others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SidebarParams } from '../../../src/protocol/webview';
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
  await w.studio.sidebar.receive({ type: 'sidebar/start', action: 'train', params: { ...before, trainSteps: 777 } });
  await settle(w.studio);
  assert.deepEqual(w.vs.mementoStore.get(PARAMS_KEY), { trainSteps: 777 });
  // The settings change two parameters afterwards; only the one the user never touched follows.
  w.vs.setSetting('reflection.targetHints', { workspaceValue: before.reflectTargetHints + 11 });
  w.vs.setSetting('agent.steps', { workspaceValue: 4242 });
  const after = await shown(w);
  assert.equal(after.reflectTargetHints, before.reflectTargetHints + 11, 'a config change was overridden by a value the user never changed');
  assert.equal(after.trainSteps, 777);
  const ctx = w.core.calls.find((c) => c.fn === 'train')!.ctx!;
  assert.equal(ctx.config.agent.steps, 777);
});

test('values the sidebar showed from an older config do not become overrides; a value set back to the config is dropped', async () => {
  const w = hostWorkspace(kbOf(['h-1', 'Prefer sequels.']));
  const before = await shown(w);
  // The config changes after the sidebar rendered; the user starts without touching anything.
  w.vs.setSetting('evaluation.testSample', { workspaceValue: before.evalTestSample + 5 });
  w.core.dataset = { name: 'toy', hash: 'h' } as never;
  await w.studio.sidebar.receive({ type: 'sidebar/start', action: 'evaluate', params: before });
  assert.deepEqual(w.vs.mementoStore.get(PARAMS_KEY), {});
  const ctx = w.core.calls.find((c) => c.fn === 'evaluate')!.ctx!;
  assert.equal(ctx.config.evaluation.testSample, before.evalTestSample + 5);

  const now = await shown(w);
  await w.studio.sidebar.receive({ type: 'sidebar/start', action: 'evaluate', params: { ...now, reflectMaxCalls: 9 } });
  assert.deepEqual(w.vs.mementoStore.get(PARAMS_KEY), { reflectMaxCalls: 9 });
  await shown(w);
  await w.studio.sidebar.receive({ type: 'sidebar/start', action: 'evaluate', params: { ...now } });
  assert.deepEqual(w.vs.mementoStore.get(PARAMS_KEY), {}, 'a value set back to the config value is still an override');
});

test('a full parameter set stored by an older version is ignored', async () => {
  const w = hostWorkspace();
  w.vs.mementoStore.set('re2llm.sidebarParams', { reflectTargetHints: 1, reflectMaxCalls: 1, trainSteps: 1, agentPreset: 'paper', evalTestSample: 1 });
  const p = await shown(w);
  assert.notEqual(p.trainSteps, 1);
});
