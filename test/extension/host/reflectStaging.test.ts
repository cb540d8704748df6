/**
 * Reflection into the KB through its staging copy (kb/staging.ts, host/reflectRun.ts): hints the
 * checkpoint counts as saved are never lost — not when a run fails, not when the merge is blocked
 * by an invalid unsaved buffer and the user reruns — and the pipeline never writes the KB itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { formatKb } from '../../../src/core/kb/store';
import { parseKbText } from '../../../src/core/kb/index';
import { stagingFor } from '../../../src/extension/kb/staging';
import { reflectionKey } from '../../../src/core/run/stageKeys';
import { defaultConfig } from '../../../src/core/config/defaults';
import { listRuns } from '../../../src/extension/host/runs';
import type { JobContext } from '../../../src/extension/coreAdapter/api';
import { hostWorkspace, kbOf, settle } from '../fakes/workspace';

const params = { "reflection.targetHints": 5, "reflection.maxCalls": 50, "agent.steps": 100, "agent.preset": 'bandit' as const, "evaluation.testSample": 10 };

/** What the core's reflection does to the file it is given: appends accepted hints. */
function addHints(path: string, ...hints: [string, string][]): void {
  const kb = parseKbText(readFileSync(path, 'utf8')).kb!;
  writeFileSync(path, formatKb({ ...kb, hints: [...kb.hints, ...hints.map(([id, text]) => ({ id, text, source: 'reflection' as const }))] }));
}

const ids = (text: string): string[] => parseKbText(text).kb!.hints.map((h) => h.id);

test('a reflection that fails midway still brings its accepted hints into the KB', async () => {
  const w = hostWorkspace(kbOf(['h-1', 'Prefer sequels.']));
  w.core.reflectBody = async (_ctx, staged) => {
    addHints(staged, ['h-new', 'Directors matter more than genres.']);
    throw new Error('endpoint unreachable');
  };
  await w.actions.reflect(params);
  await settle(w.studio);
  assert.deepEqual(ids(readFileSync(w.kbPath, 'utf8')), ['h-1', 'h-new'], 'the hints accepted before the failure were lost');
  const err = w.vs.shown.find((s) => s.level === 'error')!;
  assert.match(err.message, /endpoint unreachable/);
  assert.match(err.message, /hints accepted before the failure: written to the KB, 2 hints/);
  assert.equal(existsSync(stagingFor(w.runsDir, w.kbPath).file), false, 'staging kept after a successful merge');
});

test('a reflection that fails before accepting anything leaves the KB as it was and no staging behind', async () => {
  const w = hostWorkspace(kbOf(['h-1', 'Prefer sequels.']));
  const before = readFileSync(w.kbPath, 'utf8');
  w.core.reflectBody = async () => {
    throw new Error('dataset not found');
  };
  await w.actions.reflect(params);
  assert.equal(readFileSync(w.kbPath, 'utf8'), before);
  const err = w.vs.shown.find((s) => s.level === 'error')!;
  assert.match(err.message, /dataset not found/);
  assert.doesNotMatch(err.message, /accepted before/);
  assert.equal(existsSync(stagingFor(w.runsDir, w.kbPath).file), false);
});

test('hints staged behind an invalid unsaved buffer survive reruns and land in the buffer once it parses', async () => {
  const w = hostWorkspace(kbOf(['h-1', 'Prefer sequels.']));
  const diskBefore = readFileSync(w.kbPath, 'utf8');
  const staging = stagingFor(w.runsDir, w.kbPath);
  w.vs.docs.set(w.kbPath, { path: w.kbPath, text: '{"version": 1, "hints": [', isDirty: true, version: 1 });
  w.core.reflectBody = async (_ctx, staged) => (addHints(staged, ['h-a', 'Mind the decade of release.']), { accepted: 1 });
  await w.actions.reflect(params);
  assert.ok(w.vs.shown.some((s) => s.level === 'warn' && s.message.includes(staging.file)));
  assert.deepEqual(ids(readFileSync(staging.file, 'utf8')), ['h-1', 'h-a']);
  assert.deepEqual((await listRuns(w.runsDir)).map((r) => r.id), [], 'the staging folder listed as a run');

  // Rerun with the buffer still broken: nothing starts, the staged hint stays.
  await w.actions.reflect(params);
  assert.equal(w.core.calls.filter((c) => c.fn === 'reflect').length, 1, 'a rerun reflected over the staged hints');
  assert.deepEqual(ids(readFileSync(staging.file, 'utf8')), ['h-1', 'h-a'], 'the rerun overwrote the staged hints');
  assert.ok(w.vs.shown.some((s) => s.level === 'warn' && /not started/.test(s.message)));

  // The user fixes the buffer (with an edit of their own, still unsaved) and reruns.
  const userText = formatKb(kbOf(['h-1', 'Prefer sequels.'], ['h-user', 'Written by hand.']));
  w.vs.docs.set(w.kbPath, { path: w.kbPath, text: userText, isDirty: true, version: 2 });
  w.core.reflectBody = async (_ctx, staged) => (addHints(staged, ['h-b', 'Franchises come back.']), { accepted: 2 });
  await w.actions.reflect(params);
  assert.deepEqual(ids(w.vs.docs.get(w.kbPath)!.text), ['h-1', 'h-user', 'h-a', 'h-b']);
  assert.equal(readFileSync(w.kbPath, 'utf8'), diskBefore, 'written to disk under unsaved edits');
  assert.equal(existsSync(staging.file), false);
});

test('KBs with the same file name in different folders get their own staging copy and checkpoint', () => {
  const a = stagingFor('/runs', '/ws/a/toy.hints.json');
  const b = stagingFor('/runs', '/ws/b/toy.hints.json');
  assert.notEqual(a.file, b.file);
  assert.notEqual(a.baseFile, b.baseFile);
  assert.equal(stagingFor('/runs', '/ws/a/../a/toy.hints.json').file, a.file, 'the same KB must keep its staging copy');
  const key = (p: string) => reflectionKey({ config: defaultConfig(), datasetHash: 'dh', packageVersion: 'v' }, p);
  assert.notEqual(key('/ws/a/toy.hints.json'), key('/ws/b/toy.hints.json'));
});

test('Run Full Pipeline: reflection goes through the staging merge; the core pipeline never reflects into the KB', async () => {
  const w = hostWorkspace(kbOf(['h-1', 'Prefer sequels.']));
  w.core.reflectBody = async (_ctx, staged) => (addHints(staged, ['h-a', 'Mind the decade.'], ['h-b', 'Franchises come back.']), { accepted: 2 });
  await w.actions.runPipeline(params);
  await settle(w.studio);
  // (loadDataset calls also come from the sidebar's setup warnings.)
  assert.deepEqual(w.core.calls.map((c) => c.fn).filter((f) => f !== 'loadDataset'), ['reflect', 'runExperiment']);
  assert.deepEqual(ids(readFileSync(w.kbPath, 'utf8')), ['h-1', 'h-a', 'h-b']);
  const ctx = w.core.calls.find((c) => c.fn === 'runExperiment')!.args[0] as JobContext;
  // 3 enabled hints < target 5: the core pipeline would reflect again and write the KB itself.
  assert.equal(ctx.config.reflection.targetHints, 3);
  assert.equal(ctx.config.agent.steps, 100, 'the sidebar parameters still apply');
});

test('Run Full Pipeline: the KB opened and edited during reflection gets the hints in its buffer, and the pipeline stops', async () => {
  const w = hostWorkspace(kbOf(['h-1', 'Prefer sequels.']));
  const diskBefore = readFileSync(w.kbPath, 'utf8');
  w.core.reflectBody = async (_ctx, staged) => {
    addHints(staged, ['h-a', 'Mind the decade.']);
    w.vs.docs.set(w.kbPath, { path: w.kbPath, text: formatKb(kbOf(['h-1', 'Prefer sequels (edited).'])), isDirty: true, version: 7 });
    return { accepted: 1 };
  };
  await w.actions.runPipeline(params);
  await settle(w.studio);
  assert.equal(readFileSync(w.kbPath, 'utf8'), diskBefore, 'the KB on disk was written under unsaved edits');
  assert.ok(!w.core.calls.some((c) => c.fn === 'runExperiment'), 'trained and evaluated without the new hints');
  const buffer = w.vs.docs.get(w.kbPath)!.text;
  assert.match(buffer, /Prefer sequels \(edited\)/);
  assert.deepEqual(ids(buffer), ['h-1', 'h-a']);
  assert.ok(w.vs.shown.some((s) => s.level === 'warn' && /Save the KB, then run again/.test(s.message)));
});

test('Run Full Pipeline with a KB already at its target: no reflection, no cap', async () => {
  const w = hostWorkspace(kbOf(['h-1', 'Prefer sequels.'], ['h-2', 'Mind the decade.']));
  await w.actions.runPipeline({ ...params, "reflection.targetHints": 2 });
  await settle(w.studio);
  assert.deepEqual(w.core.calls.map((c) => c.fn).filter((f) => f !== 'loadDataset'), ['runExperiment']);
  assert.equal((w.core.calls[0]!.args[0] as JobContext).config.reflection.targetHints, 2);
});

test('a reflection short of its target says why it stopped (a budget), as the CLI summary does; one at its target does not', async () => {
  const w = hostWorkspace(kbOf(['h-1', 'Prefer sequels.']));
  w.core.reflectBody = async (_ctx, staged) => (addHints(staged, ['h-b', 'Franchises come back.']), { accepted: 1, stopReason: 'maxCalls' as const });
  await w.actions.reflect(params);
  await settle(w.studio);
  const info = w.vs.shown.filter((s) => s.level === 'info').map((s) => s.message);
  assert.ok(info.some((m) => /1 hints accepted, KB written: 2 hints; stopped: the call budget \(reflection\.maxCalls\) ran out\./.test(m)), info.join('\n'));
  // The job card's text.
  assert.match(JSON.stringify(w.studio.jobs.snapshot().filter((j) => j.kind === 'reflect')), /KB written; stopped: the call budget/);
  w.core.reflectBody = async (_ctx, staged) => (addHints(staged, ['h-c', 'Mind the decade.']), { accepted: 1, stopReason: 'target' as const });
  await w.actions.reflect(params);
  await settle(w.studio);
  const last = w.vs.shown.filter((s) => s.level === 'info').at(-1)!.message;
  assert.match(last, /KB written: 3 hints\.$/);
});
