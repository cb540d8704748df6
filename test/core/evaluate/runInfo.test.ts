import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { updateRunInfo } from '../../../src/core/evaluate/runInfo';
import { InputError } from '../../../src/core/util/errors';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'results-small');

function runDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'runinfo-'));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Record<string, any>;

test('updateRunInfo: sets name, star and notes and keeps every other field as it was', async () => {
  const dir = runDir();
  const before = read(dir);
  const out = await updateRunInfo(dir, { name: '  Paper  preset\n', starred: true, notes: 'lr 3e-4\r\nseed 7 ' });
  const after = read(dir);
  assert.equal(after.run.name, 'Paper preset');
  assert.equal(after.run.starred, true);
  assert.equal(after.run.notes, 'lr 3e-4\nseed 7');
  assert.deepEqual(out, after, 'returns what it wrote');
  const strip = (r: Record<string, any>) => ({ ...r, run: { ...r.run, name: undefined, starred: undefined, notes: undefined } });
  assert.deepEqual(JSON.parse(JSON.stringify(strip(after))), JSON.parse(JSON.stringify(strip(before))));
  // No temp file left behind by the atomic write.
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), []);
});

test('updateRunInfo: only the fields given change; empty name/notes and starred=false remove them', async () => {
  const dir = runDir();
  await updateRunInfo(dir, { name: 'A', starred: true, notes: 'n' });
  await updateRunInfo(dir, { starred: false });
  let r = read(dir).run;
  assert.equal(r.name, 'A');
  assert.equal(r.notes, 'n');
  assert.equal('starred' in r, false);
  await updateRunInfo(dir, { name: '', notes: '   ' });
  r = read(dir).run;
  assert.equal('name' in r, false);
  assert.equal('notes' in r, false);
});

test('updateRunInfo: reads the file at write time, so a change made since a caller read it is kept', async () => {
  const dir = runDir();
  const stale = read(dir);
  const fresh = { ...stale, extraFromNewerVersion: { kept: true }, run: { ...stale.run, agentRun: 'later-run' } };
  writeFileSync(join(dir, 'results.json'), JSON.stringify(fresh));
  await updateRunInfo(dir, { starred: true });
  const after = read(dir);
  assert.deepEqual(after.extraFromNewerVersion, { kept: true });
  assert.equal(after.run.agentRun, 'later-run');
  assert.equal(after.run.starred, true);
});

test('updateRunInfo: a missing, broken or foreign file is an InputError naming it, and nothing is written', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'runinfo-'));
  await assert.rejects(updateRunInfo(empty, { starred: true }), (e: Error) => e instanceof InputError && e.message.includes(join(empty, 'results.json')));
  assert.deepEqual(readdirSync(empty), []);

  const dir = runDir();
  const file = join(dir, 'results.json');
  writeFileSync(file, '{"schemaVersion": 1, "run": ');
  await assert.rejects(updateRunInfo(dir, { name: 'x' }), (e: Error) => e instanceof InputError && e.message.startsWith(file) && /invalid JSON/.test(e.message));
  assert.equal(readFileSync(file, 'utf8'), '{"schemaVersion": 1, "run": ');

  writeFileSync(file, '{"schemaVersion": 99, "conditions": []}');
  await assert.rejects(updateRunInfo(dir, { name: 'x' }), (e: Error) => e instanceof InputError && e.message.startsWith(file) && /not a Re2LLM results file/.test(e.message));
  assert.equal(readFileSync(file, 'utf8'), '{"schemaVersion": 99, "conditions": []}');
});

test('updateRunInfo: over-long or mistyped fields are refused before anything is read or written', async () => {
  const dir = runDir();
  const before = readFileSync(join(dir, 'results.json'), 'utf8');
  await assert.rejects(updateRunInfo(dir, { name: 'x'.repeat(201) }), (e: InputError) => e instanceof InputError && e.field === 'name');
  await assert.rejects(updateRunInfo(dir, { notes: 'x'.repeat(5001) }), (e: InputError) => e instanceof InputError && e.field === 'notes');
  await assert.rejects(updateRunInfo(dir, { starred: 'yes' as unknown as boolean }), (e: InputError) => e instanceof InputError && e.field === 'starred');
  assert.equal(readFileSync(join(dir, 'results.json'), 'utf8'), before);
});
