/** The runs table's host: rows from run folders, star/hide/delete/compare, hostile messages refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRuns } from '../../../src/extension/host/runs';
import { HIDDEN_RUNS_KEY, RunsTableHost } from '../../../src/extension/runs/runsTableHost';
import type { RunsNotification } from '../../../src/protocol/runsTable';
import { asRunsCommand } from '../../../src/protocol/runsTable';
import { visibleRows, DEFAULT_VIEW } from '../../../webview/runs/model';
import { FakeVs } from '../fakes/fakeVscode';

const ROOT = join(__dirname, '..', '..', '..');

function runsFolder() {
  const runsDir = mkdtempSync(join(tmpdir(), 'ext-runs-table-'));
  const results = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/results-full/results.json'), 'utf8'));
  mkdirSync(join(runsDir, 'eval-a'));
  writeFileSync(join(runsDir, 'eval-a', 'results.json'), JSON.stringify(results));
  mkdirSync(join(runsDir, 'train-b', 'checkpoints'), { recursive: true });
  writeFileSync(join(runsDir, 'train-b', 'config.json'), JSON.stringify({ agent: { steps: 777, preset: 'paper' }, encoder: { kind: 'profile' } }));
  writeFileSync(join(runsDir, 'train-b', 'manifest.json'), JSON.stringify({ datasetHash: 'd', kbFingerprint: 'f', hintIds: ['none', 'h-1', 'h-2'], dataset: { name: 'toy', hash: 'd' }, llm: { baseUrl: '', model: 'sim-llm', embeddingModel: 'e', temperature: 0 } }));
  mkdirSync(join(runsDir, 'reflect-c'));
  return { runsDir, results };
}

function host(runsDir: string, running: string[] = []) {
  const vs = new FakeVs();
  const posted: RunsNotification[] = [];
  const shown: string[][] = [];
  const plotted: string[][] = [];
  const t = new RunsTableHost({
    ui: vs.ui, log: vs.log, state: vs.workspaceState,
    createPanel: () => ({ postMessage: (m) => (posted.push(m), true), reveal: () => {}, onMessage: () => {}, onDispose: () => {} }),
    runs: async () => ({ runsDir, runs: await listRuns(runsDir) }),
    runningDirs: () => running,
    showRuns: async (d) => void shown.push(d),
    plotCurves: async (ids) => void plotted.push(ids),
    runsChanged: () => {},
  });
  return { t, vs, posted, shown, plotted, rows: () => posted.at(-1)!.rows };
}

test('every run folder is a row: parameters and primary metrics from results.json, or from config and manifest', async () => {
  const { runsDir, results } = runsFolder();
  const h = host(runsDir);
  await h.t.open();
  assert.equal(h.posted.length, 0, 'nothing before ready');
  await h.t.receive({ type: 'runs/ready' });
  const byId = new Map(h.rows().map((r) => [r.id, r]));
  assert.deepEqual([...byId.keys()].sort(), ['eval-a', 'reflect-c', 'train-b']);
  const e = byId.get('eval-a')!;
  const agent = results.conditions.find((c: { condition: string }) => c.condition === 'agent');
  const base = results.conditions.find((c: { condition: string }) => c.condition === 'no-hint');
  assert.equal(e.agentNdcg10, agent.metrics['NDCG@10'].mean);
  assert.equal(e.deltaNdcg10, agent.metrics['NDCG@10'].mean - base.metrics['NDCG@10'].mean);
  assert.equal(e.testSessions, base.n);
  assert.equal(e.hasResults, true);
  const t = byId.get('train-b')!;
  assert.deepEqual([t.kind, t.steps, t.preset, t.encoder, t.dataset, t.model, t.hints, t.agentNdcg10], ['train', 777, 'paper', 'profile', 'toy', 'sim-llm', 2, undefined]);
  assert.equal(byId.get('reflect-c')!.kind, 'reflect');
});

test('star writes results.json; hide is remembered; compare opens only runs with results', async () => {
  const { runsDir } = runsFolder();
  const h = host(runsDir);
  await h.t.open();
  await h.t.receive({ type: 'runs/ready' });
  await h.t.receive({ type: 'runs/star', runId: 'eval-a', starred: true });
  assert.equal(JSON.parse(readFileSync(join(runsDir, 'eval-a', 'results.json'), 'utf8')).run.starred, true);
  assert.equal(h.rows().find((r) => r.id === 'eval-a')!.starred, true);
  await h.t.receive({ type: 'runs/hide', runIds: ['reflect-c'], hidden: true });
  assert.deepEqual(h.vs.mementoStore.get(HIDDEN_RUNS_KEY), ['reflect-c']);
  assert.equal(h.rows().find((r) => r.id === 'reflect-c')!.hidden, true);
  assert.deepEqual(visibleRows(h.rows(), DEFAULT_VIEW).map((r) => r.id)[0], 'eval-a', 'starred first; hidden left out');
  assert.ok(!visibleRows(h.rows(), DEFAULT_VIEW).some((r) => r.id === 'reflect-c'));
  await h.t.receive({ type: 'runs/compare', runIds: ['eval-a', 'train-b'] });
  assert.deepEqual(h.shown, [[join(runsDir, 'eval-a')]]);
  await h.t.receive({ type: 'runs/plot', runIds: ['train-b', 'eval-a'] });
  assert.deepEqual(h.plotted, [['train-b', 'eval-a']], 'plot hands the selection to the curves panel');
  assert.equal(asRunsCommand({ type: 'runs/plot', runIds: ['../x'] }), undefined, 'a path is not a run id');
});

test('delete asks first, never removes a running job\'s folder', async () => {
  const { runsDir } = runsFolder();
  const h = host(runsDir, [join(runsDir, 'train-b')]);
  await h.t.open();
  await h.t.receive({ type: 'runs/ready' });
  h.vs.messageAnswers.push(undefined);
  await h.t.receive({ type: 'runs/delete', runIds: ['reflect-c'] });
  assert.ok(existsSync(join(runsDir, 'reflect-c')), 'declined: kept');
  h.vs.messageAnswers.push('Delete');
  await h.t.receive({ type: 'runs/delete', runIds: ['reflect-c', 'train-b'] });
  assert.ok(!existsSync(join(runsDir, 'reflect-c')));
  assert.ok(existsSync(join(runsDir, 'train-b')), 'running: kept');
  assert.ok(h.vs.shown.some((m) => /train-b is running; not deleted/.test(m.message)));
  assert.deepEqual(h.rows().map((r) => r.id).sort(), ['eval-a', 'train-b']);
});

test('runs table messages: path-like ids and malformed lists are refused', () => {
  assert.deepEqual(asRunsCommand({ type: 'runs/open', runId: 'eval-a', x: 1 }), { type: 'runs/open', runId: 'eval-a' });
  for (const bad of [
    { type: 'runs/open', runId: '../etc' },
    { type: 'runs/delete', runIds: ['..'] },
    { type: 'runs/delete', runIds: ['a/b'] },
    { type: 'runs/delete', runIds: [] },
    { type: 'runs/hide', runIds: ['a'] },
    { type: 'runs/star', runId: 'a', starred: 'yes' },
    { type: 'runs/nope' },
  ]) assert.equal(asRunsCommand(bad), undefined, JSON.stringify(bad));
});

test('sorting: numbers by value, rows without the value last either way; filter words match any cell', () => {
  const row = (id: string, d?: number) => ({ id, name: id, kind: 'eval' as const, modified: '2026-12-01T00:00:00Z', starred: false, hidden: false, hasResults: true, trained: false, ...(d !== undefined ? { deltaNdcg10: d } : {}) });
  const rows = [row('a', 0.01), row('b'), row('c', -0.02), row('d', 0.03)];
  assert.deepEqual(visibleRows(rows, { ...DEFAULT_VIEW, sortKey: 'deltaNdcg10', descending: true }).map((r) => r.id), ['d', 'a', 'c', 'b']);
  assert.deepEqual(visibleRows(rows, { ...DEFAULT_VIEW, sortKey: 'deltaNdcg10', descending: false }).map((r) => r.id), ['c', 'a', 'd', 'b']);
  assert.deepEqual(visibleRows(rows, { ...DEFAULT_VIEW, filter: '-0.02' }).map((r) => r.id), ['c']);
});
