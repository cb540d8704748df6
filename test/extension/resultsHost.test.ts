import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultsHost, RESULTS_PANEL_KEY, type PanelLike } from '../../src/extension/results/resultsHost';
import type { ResultsNotification } from '../../src/protocol/webview';
import { FakeVs } from './fakes/fakeVscode';
import { FakeCore } from './fakes/fakeCore';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

function fakePanel() {
  const posted: ResultsNotification[] = [];
  let handler: (m: unknown) => void = () => {};
  let disposer: () => void = () => {};
  const panel: PanelLike & { title: string } = {
    title: '',
    postMessage: (m) => (posted.push(m), true),
    reveal: () => {},
    setTitle(t) {
      this.title = t;
    },
    onMessage: (h) => void (handler = h),
    onDispose: (h) => void (disposer = h),
  };
  return { panel, posted, send: (m: unknown) => handler(m), dispose: () => disposer() };
}

function setup() {
  const runs = mkdtempSync(join(tmpdir(), 'results-'));
  cpSync(join(FIXTURES, 'results-full'), join(runs, 'full'), { recursive: true });
  cpSync(join(FIXTURES, 'results-compare'), join(runs, 'compare'), { recursive: true });
  const vs = new FakeVs();
  const core = new FakeCore();
  const panels: ReturnType<typeof fakePanel>[] = [];
  const exported: unknown[] = [];
  let compared = 0;
  let runsChanged = 0;
  const promptDiffs: unknown[] = [];
  const host = new ResultsHost({
    core,
    ui: vs.ui,
    log: vs.log,
    state: vs.workspaceState,
    createPanel: () => {
      const p = fakePanel();
      panels.push(p);
      return p.panel;
    },
    exportResults: async (runId, format) => void exported.push([runId, format]),
    compareRuns: async () => void compared++,
    comparePrompts: async (req) => void promptDiffs.push(req),
    currentKbPath: () => undefined,
    runsChanged: () => void runsChanged++,
  });
  return { runs, vs, host, panels, exported, promptDiffs, compared: () => compared, runsChanged: () => runsChanged };
}

test('results panel: snapshot posted only after ready; one panel reused; compare shows several runs', async () => {
  const s = setup();
  await s.host.showRuns([join(s.runs, 'full')]);
  assert.equal(s.panels.length, 1);
  const p = s.panels[0]!;
  assert.equal(p.posted.length, 0, 'posted before results/ready');
  p.send({ type: 'results/ready' });
  await new Promise((r) => setImmediate(r));
  assert.equal(p.posted[0]?.type, 'results/show');
  assert.equal((p.posted[0] as { runs: unknown[] }).runs.length, 1);
  assert.match(p.panel.title, /bandit preset/);
  await s.host.showRuns([join(s.runs, 'full'), join(s.runs, 'compare')]);
  assert.equal(s.panels.length, 1);
  const last = p.posted.at(-1) as { type: string; runs: { run: { id: string } }[] };
  assert.equal(last.runs.length, 2);
  assert.match(p.panel.title, /compare 2 runs/);
  assert.deepEqual(s.vs.mementoStore.get(RESULTS_PANEL_KEY), [join(s.runs, 'full'), join(s.runs, 'compare')]);
});

test('results panel: messages are validated; export and compare are routed; unknown runs refused', async () => {
  const s = setup();
  await s.host.showRuns([join(s.runs, 'full')]);
  const p = s.panels[0]!;
  const runId = '2026-11-26T2210-bandit';
  await s.host.receive({ type: 'results/export', runId, format: 'latex' });
  await s.host.receive({ type: 'results/export', runId, format: 'exe' });
  await s.host.receive({ type: 'results/export', runId: 'someone-else', format: 'csv' });
  await s.host.receive({ type: 'results/compareRuns' });
  await s.host.receive({ type: 'results/nope' });
  assert.deepEqual(s.exported, [[runId, 'latex']]);
  assert.equal(s.compared(), 1);
  assert.equal(s.vs.logLines.filter((l) => l.level === 'warn').length, 3);
  void p;
});

test('results panel: "Diff against no-hint" opens the prompt diff of that session, that condition against no-hint; unknown runs and bad messages refused', async () => {
  const s = setup();
  await s.host.showRuns([join(s.runs, 'full')]);
  const runId = '2026-11-26T2210-bandit';
  await s.host.receive({ type: 'results/comparePrompts', runId, sessionId: 'test-3', condition: 'agent' });
  await s.host.receive({ type: 'results/comparePrompts', runId: 'someone-else', sessionId: 'test-3', condition: 'agent' });
  await s.host.receive({ type: 'results/comparePrompts', runId, sessionId: '', condition: 'agent' });
  assert.deepEqual(s.promptDiffs, [{ runId, sessionId: 'test-3', sides: [{ condition: 'no-hint' }, { condition: 'agent' }] }]);
  assert.equal(s.vs.logLines.filter((l) => l.level === 'warn').length, 2);
});

test('results panel: revived by the serializer with the runs it showed; a disposed panel is recreated', async () => {
  const s = setup();
  await s.host.showRuns([join(s.runs, 'compare')]);
  s.panels[0]!.dispose();
  assert.equal(s.host.isOpen, false);
  const revived = fakePanel();
  s.host.adopt(revived.panel, true);
  await new Promise((r) => setTimeout(r, 20));
  revived.send({ type: 'results/ready' });
  await new Promise((r) => setImmediate(r));
  assert.equal(revived.posted.at(-1)?.type, 'results/show');
});

test('results panel: a run folder without results.json is reported, not shown', async () => {
  const s = setup();
  mkdirSync(join(s.runs, 'empty'));
  writeFileSync(join(s.runs, 'empty', 'results.json'), '{"schemaVersion": 99}');
  await s.host.showRuns([join(s.runs, 'empty')]);
  assert.equal(s.panels.length, 0);
  assert.ok(s.vs.shown.some((m) => m.level === 'error'));
});

test('results panel: updateRun writes name, star and notes into results.json, replies with a fresh snapshot, refreshes the sidebar', async () => {
  const s = setup();
  const dir = join(s.runs, 'full');
  await s.host.showRuns([dir]);
  const p = s.panels[0]!;
  p.send({ type: 'results/ready' });
  await new Promise((r) => setImmediate(r));
  const runId = '2026-11-26T2210-bandit';
  const before = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  await s.host.receive({ type: 'results/updateRun', runId, name: 'Main result', starred: false, notes: 'seed 7' });
  const after = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  assert.equal(after.run.name, 'Main result');
  assert.equal(after.run.notes, 'seed 7');
  assert.equal('starred' in after.run, false);
  assert.deepEqual(after.conditions, before.conditions);
  const last = p.posted.at(-1) as { type: string; runs: { run: { name?: string; notes?: string } }[] };
  assert.equal(last.type, 'results/show');
  assert.equal(last.runs[0]!.run.name, 'Main result');
  assert.equal(last.runs[0]!.run.notes, 'seed 7');
  assert.equal(p.panel.title, 'Re2LLM: Main result');
  assert.equal(s.runsChanged(), 1);

  // Malformed or unknown-run updates write nothing.
  const n = p.posted.length;
  await s.host.receive({ type: 'results/updateRun', runId, name: 'x'.repeat(201) });
  await s.host.receive({ type: 'results/updateRun', runId: 'someone-else', name: 'hijack' });
  assert.equal(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).run.name, 'Main result');
  assert.equal(p.posted.length, n);
  assert.equal(s.runsChanged(), 1);
});

test('results panel: updateRun on a results.json that became unreadable shows an error, writes nothing, re-sends the snapshot', async () => {
  const s = setup();
  const dir = join(s.runs, 'full');
  await s.host.showRuns([dir]);
  const p = s.panels[0]!;
  p.send({ type: 'results/ready' });
  await new Promise((r) => setImmediate(r));
  writeFileSync(join(dir, 'results.json'), '{"schemaVersion": 1, "run": {');
  await s.host.receive({ type: 'results/updateRun', runId: '2026-11-26T2210-bandit', starred: true });
  assert.equal(readFileSync(join(dir, 'results.json'), 'utf8'), '{"schemaVersion": 1, "run": {');
  const err = s.vs.shown.find((m) => m.level === 'error');
  assert.ok(err && err.message.includes(join(dir, 'results.json')), JSON.stringify(s.vs.shown));
  const last = p.posted.at(-1) as { type: string; runs: { run: { starred?: boolean; name?: string } }[] };
  assert.equal(last.type, 'results/show', 'the webview gets the unchanged snapshot back');
  assert.equal(last.runs[0]!.run.name, 'bandit preset, 5k steps');
  assert.equal(s.runsChanged(), 0);
});
