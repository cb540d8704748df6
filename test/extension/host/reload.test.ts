/**
 * A window reload: a training the user stopped stays "stopped" (not "interrupted"), one cut off
 * by the reload says so; both name their run and step, so Resume is unambiguous. The stale-agent
 * warning is about the newest run trained on the current KB file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JobManager } from '../../../src/extension/host/jobs';
import { newestAgentOn } from '../../../src/extension/host/studio';
import type { RunFolder } from '../../../src/extension/host/runs';
import { kbFingerprint } from '../../../src/core/kb/actions';
import { formatKb } from '../../../src/core/kb/store';
import { FakeVs } from '../fakes/fakeVscode';
import { hostWorkspace, kbOf } from '../fakes/workspace';

function training(jobs: JobManager, runDir: string, step: number) {
  return jobs.start('train', `Train ${runDir}`, (h) => new Promise((_resolve, reject) => {
    h.progress({ runDir, total: 100, done: step });
    h.signal.addEventListener('abort', () => reject(new Error('cancelled')));
  }));
}

test('after a reload: the stopped run stays stopped, the one the reload cut off is interrupted; each names its run and step', async () => {
  const vs = new FakeVs();
  let t = 1000;
  const jobs = new JobManager(vs.workspaceState, () => {}, () => (t += 5000));
  const stopped = training(jobs, '/runs/train-a', 40);
  const cut = training(jobs, '/runs/train-b', 70);
  jobs.cancel(stopped.id, 'stopped');
  await stopped.finished;
  await jobs.cancelAll(1000); // what deactivate does when the window reloads
  await cut.finished;

  const after = new JobManager(vs.workspaceState, () => {});
  const byRun = new Map(after.snapshot().map((j) => [j.runId, j]));
  const a = byRun.get('train-a')!;
  const b = byRun.get('train-b')!;
  assert.equal(a.status, 'cancelled');
  assert.match(a.message, /^Stopped at step 40\/100\. Resume/);
  assert.equal(b.status, 'interrupted');
  assert.match(b.message, /^Interrupted by a window reload at step 70\/100\. Resume/);
  for (const j of [a, b]) {
    assert.equal(j.resumable, true);
    assert.equal(j.done !== undefined && j.total, 100);
  }
  assert.equal(after.running().length, 0);
});

test('the stale-agent warning names the newest run trained on this KB file, not another KB\'s', async () => {
  const kb = kbOf(['h-1', 'Prefer sequels.'], ['h-2', 'Mind the genre.']);
  const w = hostWorkspace(kb);
  const runs = join(w.root, 're2llm-runs');
  const mk = (id: string, kbPath: string, age: number) => {
    const dir = join(runs, id);
    mkdirSync(join(dir, 'checkpoints'), { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ datasetHash: 'd', kbFingerprint: kbFingerprint(kb), kbPath, hintIds: ['none', 'h-1', 'h-2'] }));
    const when = new Date(Date.now() - age * 60_000);
    utimesSync(dir, when, when);
  };
  mk('train-old', w.kbPath, 30);
  mk('train-new', w.kbPath, 20);
  mk('train-other-kb', join(w.root, 'elsewhere', 'other.hints.json'), 1);
  writeFileSync(w.kbPath, formatKb({ ...kb, hints: [kb.hints[0]!] }));
  await w.studio.sidebar.receive({ type: 'sidebar/ready' });
  const s = w.posted.at(-1)!.state;
  assert.equal(s.kb?.stale, true);
  assert.match(s.kb!.staleReason!, /agent train-new was trained/);
});

test('newestAgentOn: a run that recorded no KB path is the fallback, never one of another KB', () => {
  const run = (id: string, path?: string): RunFolder => ({ id, dir: `/r/${id}`, label: id, hasResults: false, trained: true, kb: { fingerprint: 'f', ...(path ? { path } : {}) }, mtimeMs: 0 });
  assert.equal(newestAgentOn([run('x', '/other.hints.json'), run('y')], '/kb.hints.json')?.id, 'y');
  assert.equal(newestAgentOn([run('x', '/other.hints.json')], '/kb.hints.json'), undefined);
});
