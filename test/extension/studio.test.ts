import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Studio } from '../../src/extension/host/studio';
import { Actions } from '../../src/extension/host/actions';
import { commandHandlers, type Handler } from '../../src/extension/host/commands';
import { SECRET_KEY } from '../../src/extension/host/apiKey';
import type { SidebarNotification } from '../../src/protocol/webview';
import { formatKb } from '../../src/core/kb/store';
import { kbFingerprint } from '../../src/core/kb/actions';
import type { HintKb } from '../../src/core/kb/types';
import { simEndpointId } from '../../src/core/sim/identity';
import { FakeVs } from './fakes/fakeVscode';
import { FakeCore } from './fakes/fakeCore';

const SECRET = 'sk-test-THIS-MUST-NEVER-LEAK-1234567890';
const params = { "reflection.targetHints": 5, "reflection.maxCalls": 50, "agent.steps": 100, "agent.preset": 'bandit' as const, "evaluation.testSample": 10 };

function kbOf(...hints: [string, string, boolean?][]): HintKb {
  return { version: 1, dataset: 'toy', hints: hints.map(([id, text, enabled]) => ({ id, text, ...(enabled === false ? { enabled: false } : {}) })) };
}

/** A workspace with one dataset folder (JSONL marker) and optional KB. */
function workspace(kb?: HintKb) {
  const root = mkdtempSync(join(tmpdir(), 'ext-ws-'));
  mkdirSync(join(root, 'data', 'toy'), { recursive: true });
  writeFileSync(join(root, 'data', 'toy', 'items.jsonl'), '');
  const kbPath = join(root, 're2llm', 'toy.hints.json');
  if (kb) {
    mkdirSync(join(root, 're2llm'), { recursive: true });
    writeFileSync(kbPath, formatKb(kb));
  }
  const vs = new FakeVs();
  vs.workspaceFolders = [root];
  const core = new FakeCore();
  let handlers: Record<string, Handler> = {};
  const studio = new Studio(vs, core, {}, (id, ...args) => handlers[id]?.(...args));
  const actions = new Actions(studio);
  handlers = commandHandlers(studio, actions, async () => ({ ok: false, status: 404, json: async () => ({}) }));
  const posted: SidebarNotification[] = [];
  studio.sidebar.attach({ postMessage: (m) => (posted.push(m), true) });
  return { root, kbPath, vs, core, studio, actions, posted, handlers };
}

async function settle(studio: Studio): Promise<void> {
  for (let i = 0; i < 50 && studio.jobs.running().length; i++) await new Promise((r) => setTimeout(r, 10));
}

test('the sidebar gets nothing before ready, then the complete snapshot', async () => {
  const w = workspace(kbOf(['h-1', 'Prefer sequels.'], ['h-2', 'Mind the genre.', false]));
  await w.studio.refresh();
  assert.equal(w.posted.length, 0, 'posted before the ready handshake');
  await w.studio.sidebar.receive({ type: 'sidebar/ready' });
  const last = w.posted.at(-1)!;
  assert.equal(last.type, 'sidebar/state');
  const s = last.state;
  assert.equal(s.trusted, true);
  assert.equal(s.datasets.length, 1);
  assert.equal(s.selectedDataset, join(w.root, 'data', 'toy'));
  assert.equal(s.kb?.hints, 2);
  assert.equal(s.kb?.enabled, 1);
  assert.equal(s.kb?.stale, false);
  assert.equal(s.endpoint.keySource, 'none');
});

test('a malformed sidebar message is logged and ignored', async () => {
  const w = workspace();
  await w.studio.sidebar.receive({ type: 'sidebar/command', command: 'workbench.action.terminal.new' });
  await w.studio.sidebar.receive('hello');
  assert.equal(w.vs.executed.length, 0);
  assert.equal(w.vs.logLines.filter((l) => l.level === 'warn' && /malformed/.test(l.message)).length, 2);
});

test('sidebar host commands go only to re2llm commands', async () => {
  const w = workspace();
  await w.studio.sidebar.receive({ type: 'sidebar/command', command: 'openKb' });
  await w.studio.sidebar.receive({ type: 'sidebar/command', command: 'manageTrust' });
  assert.deepEqual(w.vs.executed.map((e) => e.id), ['re2llm.openKb', 'workbench.trust.manage']);
});

test('API key: SecretStorage first, then the environment, never in any log or message', async () => {
  const w = workspace();
  const studio = new Studio(w.vs, w.core, { OPENAI_API_KEY: 'env-key-000' });
  assert.deepEqual(await studio.keys.resolve('OPENAI_API_KEY'), { key: 'env-key-000', source: 'env' });
  w.vs.inputAnswers.push(`  ${SECRET}  `);
  await w.handlers['re2llm.setApiKey']!();
  assert.equal(w.vs.secretsStore.get(SECRET_KEY), SECRET);
  assert.deepEqual(await studio.keys.resolve('OPENAI_API_KEY'), { key: SECRET, source: 'secret' });
  // A job whose error message echoes the key: the log and the notification are redacted.
  w.core.reflectBody = async (ctx) => {
    ctx.logger.log('info', `calling endpoint with ${SECRET}`);
    throw new Error(`401 for key ${SECRET}`);
  };
  await w.actions.reflect(params);
  await settle(w.studio);
  assert.equal(w.core.calls.find((c) => c.fn === 'reflect')?.apiKey, SECRET, 'the core gets the key');
  const visible = w.vs.everythingVisible();
  assert.ok(visible.includes('[redacted]'));
  assert.ok(!visible.includes(SECRET), 'the key leaked into logs or messages');
  assert.ok(!visible.includes('THIS-MUST-NEVER-LEAK'));
  await w.handlers['re2llm.clearApiKey']!();
  assert.equal(w.vs.secretsStore.has(SECRET_KEY), false);
});

test('invalid keys are refused before storing', async () => {
  const w = workspace();
  w.vs.inputAnswers.push('has space inside');
  await w.handlers['re2llm.setApiKey']!();
  assert.equal(w.vs.secretsStore.size, 0);
  assert.ok(w.vs.shown.some((s) => s.level === 'error' && /whitespace/.test(s.message)));
});

test('no key: LLM jobs do not start and the user is told how to set one', async () => {
  const w = workspace();
  await w.actions.train(params);
  assert.equal(w.core.calls.length, 0);
  assert.ok(w.vs.shown.some((s) => /needs an API key/.test(s.message) && s.actions.includes('Set API Key')));
});

test('Restricted Mode: no LLM call, training, demo or hint check starts; the message says why', async () => {
  const w = workspace(kbOf(['h-1', 'Prefer sequels.']));
  w.vs.trusted = false;
  w.vs.secretsStore.set(SECRET_KEY, SECRET);
  await w.actions.reflect(params);
  await w.actions.train(params);
  await w.actions.evaluate(params);
  await w.actions.runPipeline(params);
  await w.actions.startDemo();
  await w.actions.tryHint(w.kbPath, 'h-1');
  await w.studio.sidebar.receive({ type: 'sidebar/start', action: 'train', params });
  assert.deepEqual(w.core.calls, []);
  const warnings = w.vs.shown.filter((s) => s.level === 'warn');
  assert.equal(warnings.length, 7);
  for (const s of warnings) {
    assert.match(s.message, /Restricted Mode/);
    assert.match(s.message, /endpoint and model settings are ignored/);
    assert.deepEqual(s.actions, ['Manage Workspace Trust']);
  }
  const state = await w.studio.buildState();
  assert.equal(state.trusted, false);
});

test('Restricted Mode: the sidebar lists the ignored workspace endpoint settings', async () => {
  const w = workspace();
  w.vs.trusted = false;
  w.vs.setSetting('llm.baseUrl', { workspaceValue: 'https://elsewhere.example/v1' });
  const state = await w.studio.buildState();
  assert.deepEqual(state.endpoint.ignored, ['llm.baseUrl']);
  assert.equal(state.endpoint.baseUrl, '');
});

test('training: live curve reaches the job state, status bar while it runs, cancel stops it', async () => {
  const w = workspace(kbOf(['h-1', 'Prefer sequels.']));
  w.vs.secretsStore.set(SECRET_KEY, SECRET);
  let release!: () => void;
  w.core.trainBody = (ctx) =>
    new Promise((resolve, reject) => {
      ctx.onProgress({ runDir: join(w.root, 're2llm-runs', 'r1'), total: 100 });
      ctx.onProgress({ done: 10, point: { step: 10, meanReward: 0.1 } });
      ctx.onProgress({ done: 20, point: { step: 20, meanReward: 0.2, validationReward: 0.15 } });
      ctx.signal.addEventListener('abort', () => reject(new Error('cancelled by user')));
      release = () => resolve({ runDir: join(w.root, 're2llm-runs', 'r1') });
    });
  await w.actions.train(params);
  const [job] = w.studio.jobs.running('train');
  assert.ok(job);
  assert.equal(job.curve?.length, 2);
  assert.equal(job.reward, 0.2);
  assert.ok(w.vs.statusTexts.some((t) => t && /training 20\/100/.test(t)));
  // A second training is refused while one runs.
  await w.actions.train(params);
  assert.equal(w.core.calls.filter((c) => c.fn === 'train').length, 1);
  await w.handlers['re2llm.stopTraining']!();
  await settle(w.studio);
  const done = w.studio.jobs.get(job.id)!;
  assert.equal(done.status, 'cancelled');
  assert.equal(done.resumable, true);
  assert.equal(w.vs.statusTexts.at(-1), undefined, 'status bar item hidden after training');
  void release;
});

test('a training cut off by a reload shows as interrupted and resumes from its run folder', async () => {
  const w = workspace(kbOf(['h-1', 'Prefer sequels.']));
  w.vs.secretsStore.set(SECRET_KEY, SECRET);
  w.core.trainBody = (ctx) => new Promise(() => ctx.onProgress({ runDir: '/runs/r7', total: 10 }));
  await w.actions.train(params);
  // "Reload": a new controller over the same workspaceState.
  let handlers2: Record<string, Handler> = {};
  const studio2 = new Studio(w.vs, w.core, {}, (id, ...args) => handlers2[id]?.(...args));
  const actions2 = new Actions(studio2);
  handlers2 = commandHandlers(studio2, actions2);
  const [j] = studio2.jobs.snapshot();
  assert.equal(j?.status, 'interrupted');
  assert.equal(j?.resumable, true);
  assert.equal(j?.runDir, '/runs/r7');
  await studio2.buildState();
  w.core.trainBody = async () => ({ runDir: '/runs/r7' });
  await studio2.sidebar.receive({ type: 'sidebar/resumeJob', jobId: j!.id });
  await settle(studio2);
  const call = w.core.calls.filter((c) => c.fn === 'train').at(-1)!;
  assert.equal(call.args[1], '/runs/r7');
  assert.ok(!studio2.jobs.snapshot().some((x) => x.status === 'interrupted'));
  void actions2;
});

test('stale agent: saving a KB whose enabled set changed marks the trained agent stale', async () => {
  const kb = kbOf(['h-1', 'Prefer sequels.'], ['h-2', 'Mind the genre.']);
  const w = workspace(kb);
  const run = join(w.root, 're2llm-runs', 'train-1');
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'manifest.json'), JSON.stringify({ datasetHash: 'd', kbFingerprint: kbFingerprint(kb), hintIds: ['none', 'h-1', 'h-2'] }));
  writeFileSync(join(run, 'metrics.jsonl'), '');
  assert.equal((await w.studio.buildState()).kb?.stale, false);
  // Notes do not count; disabling a hint does.
  writeFileSync(w.kbPath, formatKb({ ...kb, hints: kb.hints.map((h) => ({ ...h, notes: 'n' })) }));
  assert.equal((await w.studio.buildState()).kb?.stale, false);
  writeFileSync(w.kbPath, formatKb({ ...kb, hints: [kb.hints[0]!, { ...kb.hints[1]!, enabled: false }, { id: 'h-3', text: 'New one.' }] }));
  await w.studio.sidebar.receive({ type: 'sidebar/ready' });
  await w.studio.kbSaved(w.kbPath);
  const s = w.posted.at(-1)!.state;
  assert.equal(s.kb?.stale, true);
  assert.match(s.kb!.staleReason!, /1 added or enabled \(h-3\); 1 removed or disabled \(h-2\)/);
});

test('Start Demo: simulator started and closed around the pipeline, with no user key', async () => {
  const w = workspace();
  const ext = mkdtempSync(join(tmpdir(), 'ext-install-'));
  mkdirSync(join(ext, 'examples', 'hetrec-mini'), { recursive: true });
  const vs = new FakeVs(ext, join(ext, 'storage'));
  vs.workspaceFolders = w.vs.workspaceFolders;
  const core = new FakeCore();
  core.dataset = { name: 'hetrec-mini', hash: 'd8a0db897d0281c15b5' } as never;
  const studio = new Studio(vs, core, {});
  const actions = new Actions(studio);
  await studio.buildState();
  core.reflectBody = async (_ctx, staged) => {
    const { readFileSync } = await import('node:fs');
    const kb = JSON.parse(readFileSync(staged, 'utf8')) as HintKb;
    writeFileSync(staged, formatKb({ ...kb, hints: [...kb.hints, { id: 'h-sim', text: 'Sequels matter.' }] }));
    return { accepted: 1 };
  };
  await actions.startDemo();
  // Reflection runs first through the staging merge (never writing under an open buffer), then the
  // pipeline, with the core's own reflection capped at what the KB holds.
  // (loadDataset calls also come from the sidebar's setup warnings.)
  const fns = core.calls.map((c) => c.fn);
  assert.deepEqual(fns.filter((f) => f !== 'loadDataset'), ['startSimulator', 'reflect', 'runExperiment', 'closeSimulator']);
  assert.equal(fns[fns.indexOf('startSimulator') - 1], 'loadDataset', 'the simulator is started for the loaded dataset');
  assert.equal((core.calls.find((c) => c.fn === 'reflect')!.args[0] as string).includes(join('re2llm-runs', '.staging')), true);
  const run = core.calls.find((c) => c.fn === 'runExperiment')!;
  assert.equal(run.apiKey, 'sk-simulated-demo');
  const ctx = run.args[0] as { config: { llm: { baseUrl: string; endpointId: string }; agent: { steps: number }; reflection: { targetHints: number } } };
  assert.equal(ctx.config.reflection.targetHints, 1, 'the core pipeline would reflect into the KB itself');
  assert.equal(ctx.config.llm.baseUrl, 'http://127.0.0.1:1/v1');
  assert.equal(ctx.config.llm.endpointId, simEndpointId('d8a0db897d0281c15b5', 1));
  assert.equal(ctx.config.agent.steps, 10000);
  assert.equal(vs.progressTitles.length, 1);
});

test('Select Endpoint/Model writes user settings only, and refuses a non-http URL', async () => {
  const w = workspace();
  w.vs.pickAnswers.push((items) => items.find((i) => i.label === 'Other…'));
  w.vs.inputAnswers.push('https://my-resource.openai.azure.com/openai/v1', 'gpt-4.1-mini');
  await w.handlers['re2llm.selectEndpoint']!();
  assert.deepEqual(w.vs.settingUpdates, [
    { key: 'llm.baseUrl', value: 'https://my-resource.openai.azure.com/openai/v1', target: 'global' },
    { key: 'llm.model', value: 'gpt-4.1-mini', target: 'global' },
  ]);
  w.vs.pickAnswers.push((items) => items.find((i) => i.label === 'Other…'));
  w.vs.inputAnswers.push('file:///etc/passwd');
  await w.handlers['re2llm.selectEndpoint']!();
  assert.equal(w.vs.settingUpdates.length, 2);
  const s = await w.studio.buildState();
  assert.equal(s.endpoint.model, 'gpt-4.1-mini');
});

test('Open Hint KB offers to create a missing KB and creates a valid empty one', async () => {
  const w = workspace();
  w.vs.messageAnswers.push('Create Empty KB');
  await w.handlers['re2llm.openKb']!();
  assert.equal(w.vs.opened.length, 1);
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(w.vs.opened[0]!.path, 'utf8');
  assert.deepEqual((await w.core.validateKb(text, { maxHintChars: 300 })).filter((d) => d.severity === 'error'), []);
  assert.match(w.vs.opened[0]!.path, /re2llm\/toy\.hints\.json$/);
});

test('Run Full Pipeline refuses to start while the KB has unsaved edits', async () => {
  const w = workspace(kbOf(['h-1', 'Prefer sequels.']));
  w.vs.secretsStore.set(SECRET_KEY, SECRET);
  w.vs.docs.set(w.kbPath, { path: w.kbPath, text: '{"version": 1, "hints": []', isDirty: true, version: 3 });
  await w.actions.runPipeline(params);
  assert.equal(w.core.calls.length, 0);
  assert.ok(w.vs.shown.some((s) => s.level === 'warn' && /unsaved edits/.test(s.message)));
  w.vs.docs.set(w.kbPath, { path: w.kbPath, text: '', isDirty: false, version: 4 });
  await w.actions.runPipeline(params);
  await settle(w.studio);
  assert.equal(w.core.calls.filter((c) => c.fn === 'runExperiment').length, 1);
});
