import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StudyHost, STUDY_PANEL_KEY, type StudyPanelLike } from '../../../src/extension/study/studyHost';
import { STUDY_RESULTS_SCHEMA_VERSION, type StudyNotification, type StudyResults } from '../../../src/protocol/study';
import { FakeVs } from '../fakes/fakeVscode';

class FakePanel implements StudyPanelLike {
  posted: StudyNotification[] = [];
  titles: string[] = [];
  handler: ((m: unknown) => void) | undefined;
  postMessage(m: StudyNotification) { this.posted.push(m); return Promise.resolve(true); }
  reveal() {}
  setTitle(t: string) { this.titles.push(t); }
  onMessage(h: (m: unknown) => void) { this.handler = h; }
  onDispose() {}
}

const results: StudyResults = {
  schemaVersion: STUDY_RESULTS_SCHEMA_VERSION, name: 'tiny', studyFile: '/s.study.json', createdAt: '', packageVersion: '0',
  axes: {}, variants: ['default'], seeds: { vary: [], values: [] }, metrics: ['NDCG@10'], conditions: [],
  cells: [{ id: 'aaaaaaaaaaaa', label: 'a', axes: {}, variant: 'default', seed: null, group: 'g', status: 'done', evalDir: '/runs/eval-1' },
    { id: 'bbbbbbbbbbbb', label: 'b', axes: {}, variant: 'default', seed: null, group: 'g', status: 'pending' }],
  groups: [], comparisons: [], figures: [], methods: { seedInterval: '', comparison: '' },
  usage: { calls: 0, cellCalls: 0, estimate: null, seconds: 0 }, complete: false,
};

function setup(gate: () => Promise<{ apiKey: string; envName: string } | undefined> = async () => ({ apiKey: '', envName: 'K' })) {
  const vs = new FakeVs();
  const panels: FakePanel[] = [];
  const opened: string[][] = [];
  const host = new StudyHost({ vs, packageVersion: '0', createPanel: () => { const p = new FakePanel(); panels.push(p); return p; }, openRunDirs: async (d) => void opened.push(d), gate });
  return { vs, panels, opened, host };
}

test('the panel gets the last snapshot after the ready handshake; a click opens that cell\'s results', async () => {
  const { panels, opened, host, vs } = setup();
  host.showResults(results, true);
  const panel = panels[0]!;
  assert.deepEqual(panel.titles, ['Study: tiny']);
  panel.handler!({ type: 'study/ready' });
  await new Promise((r) => setImmediate(r));
  assert.equal(panel.posted.length, 2);
  assert.deepEqual(panel.posted[1], { type: 'study/show', results, running: true });
  await host.receive({ type: 'study/openCell', cellId: 'aaaaaaaaaaaa' });
  assert.deepEqual(opened, [['/runs/eval-1']]);
  await host.receive({ type: 'study/openCell', cellId: 'bbbbbbbbbbbb' });
  assert.match(vs.shown.at(-1)!.message, /no results yet/);
  await host.receive({ type: 'study/openCell', cellId: '../../etc' });
  assert.deepEqual(opened.length, 1, 'a malformed id is ignored');
  assert.ok(vs.logLines.some((l) => l.level === 'warn' && /malformed/.test(l.message)));
});

test('Run Study stops at the gate (Restricted Mode, no key) before any panel or call', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'study-host-'));
  const file = join(dir, 'x.study.json');
  writeFileSync(file, JSON.stringify({ name: 'x', base: {}, llm: 'simulated' }));
  const { panels, host, vs } = setup(async () => undefined);
  await host.run(file);
  assert.equal(panels.length, 0);
  assert.deepEqual(vs.progressTitles, []);
});

test('after a window reload the revived panel shows the remembered study folder\'s study.json; a click still opens a cell; nothing remembered says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'study-restore-'));
  writeFileSync(join(dir, 'study.json'), JSON.stringify({ ...results, complete: true }));
  // A new host, as after the reload: only workspaceState survived.
  const { vs, host, opened } = setup();
  await vs.workspaceState.update(STUDY_PANEL_KEY, dir);
  const revived = new FakePanel();
  assert.equal(await host.restore(revived), true);
  assert.deepEqual(revived.titles, ['Study: tiny']);
  assert.deepEqual(revived.posted, [{ type: 'study/show', results: { ...results, complete: true }, running: false }]);
  revived.handler!({ type: 'study/ready' });
  await new Promise((r) => setImmediate(r));
  assert.equal(revived.posted.length, 2, 'the ready handshake gets the snapshot again');
  await host.receive({ type: 'study/openCell', cellId: 'aaaaaaaaaaaa' });
  assert.deepEqual(opened, [['/runs/eval-1']]);

  const empty = setup();
  const blank = new FakePanel();
  assert.equal(await empty.host.restore(blank), false);
  assert.deepEqual(blank.posted, []);
  assert.match(blank.titles[0]!, /nothing to restore/);
  const broken = setup();
  writeFileSync(join(dir, 'study.json'), '{"name": 1}');
  await broken.vs.workspaceState.update(STUDY_PANEL_KEY, dir);
  assert.equal(await broken.host.restore(new FakePanel()), false);
  assert.ok(broken.vs.logLines.some((l) => l.level === 'warn' && /not a study result/.test(l.message)));
});
