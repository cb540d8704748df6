import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainAgent, resumeMismatches, type TrainProblem } from '../../../src/core/agent/train';
import { readBanditFile, type BanditFile } from '../../../src/core/agent/syntheticBandit';
import { defaultConfig, type Re2llmConfig } from '../../../src/core/config/defaults';
import { silentLogger } from '../../../src/core/util/log';

const BANDIT = join(__dirname, '../../fixtures/bandit-tiny/bandit.json');

function config(): Re2llmConfig {
  const c = defaultConfig();
  return { ...c, agent: { ...c.agent, validateEvery: 2, seed: 3 } };
}
const freshDir = () => join(mkdtempSync(join(tmpdir(), 'train-run-')), 'run');
const problem = async (file?: BanditFile): Promise<TrainProblem> => ({ kind: 'synthetic', file: file ?? (await readBanditFile(BANDIT)), source: BANDIT });
const train = async (runDir: string, extra: { resume?: boolean; steps?: number; file?: BanditFile; baseDir?: string } = {}) =>
  trainAgent({
    config: config(), problem: await problem(extra.file), runDir, steps: extra.steps ?? 64 * 2, packageVersion: 't', logger: silentLogger,
    ...(extra.resume ? { resume: true } : {}), ...(extra.baseDir ? { baseDir: extra.baseDir } : {}),
  });
const editManifest = (runDir: string, edit: (m: Record<string, unknown>) => void) => {
  const file = join(runDir, 'manifest.json');
  const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(m);
  writeFileSync(file, JSON.stringify(m));
};

test('resumeMismatches names each differing input; a field an older manifest lacks is not compared', () => {
  const now = { hintIds: ['none', 'a', 'b'], hintTexts: ['', 'A', 'B'], datasetHash: 'd1', kbFingerprint: 'k1' };
  assert.deepEqual(resumeMismatches({ ...now }, now), []);
  assert.deepEqual(resumeMismatches({ hintIds: now.hintIds }, now), [], 'no texts, hash or fingerprint recorded');
  const all = resumeMismatches({ hintIds: ['none', 'a', 'c'], hintTexts: ['', 'A', 'old B'], datasetHash: 'd0', kbFingerprint: 'k0' }, now);
  assert.equal(all.length, 4);
  assert.match(all[0]!, /^hint ids \(changed at #2 c -> b\)$/);
  assert.match(all[1]!, /^hint texts \(changed at #2 \(b\)\)$/);
  assert.match(all[2]!, /^dataset hash \(recorded "d0", now "d1"\)$/);
  assert.match(all[3]!, /^KB fingerprint \(recorded "k0", now "k1"\)$/);
  assert.match(resumeMismatches({ hintIds: ['none', 'a'] }, now)[0]!, /hint ids \(2 recorded, 3 now; changed at #2 \(none\) -> b\)/);
});

test('resume refuses when the manifest\'s hint texts, dataset hash or KB fingerprint differ, naming what differs', async () => {
  const dir = freshDir();
  await train(dir, { steps: 64 * 4 });
  const original = readFileSync(join(dir, 'manifest.json'), 'utf8');
  const restore = () => writeFileSync(join(dir, 'manifest.json'), original);

  editManifest(dir, (m) => { (m.hintTexts as string[])[2] = 'an older text'; });
  await assert.rejects(train(dir, { resume: true }), /manifest\.json: cannot resume: .*hint texts \(changed at #2 \(arm-2\)\)/);
  restore();
  editManifest(dir, (m) => { m.kbFingerprint = 'another-kb'; });
  await assert.rejects(train(dir, { resume: true }), /manifest\.json: cannot resume: .*KB fingerprint \(recorded "another-kb", now "synthetic-4"\)/);
  restore();
  // A changed problem file: a different dataset hash.
  const file = await readBanditFile(BANDIT);
  file.train.rewards[0]![1] = file.train.rewards[0]![1]! + 1;
  await assert.rejects(train(dir, { resume: true, file }), (err: Error) => /cannot resume: .*dataset hash \(recorded "[0-9a-f]+", now "[0-9a-f]+"\)/.test(err.message) && !/hint/.test(err.message));
  // Unchanged inputs resume (the run is finished, so it ends at once with the same step count).
  restore();
  const s = await train(dir, { resume: true });
  assert.equal(s.steps, 64 * 4);
});

test('resume names the manifest when it is missing or not JSON', async () => {
  const dir = freshDir();
  await train(dir);
  writeFileSync(join(dir, 'manifest.json'), '{"hintIds": [');
  await assert.rejects(train(dir, { resume: true }), /run\/manifest\.json: invalid JSON/);
  writeFileSync(join(dir, 'manifest.json'), '[]');
  await assert.rejects(train(dir, { resume: true }), /run\/manifest\.json: a run manifest must be a JSON object/);
  require('node:fs').rmSync(join(dir, 'manifest.json'));
  await assert.rejects(train(dir, { resume: true }), /run\/manifest\.json: not a training run folder: cannot read manifest\.json \(ENOENT\)/);
});

test('a fresh run refuses a folder that already holds a run (an old best.json would survive); the worker log alone is fine', async () => {
  const dir = freshDir();
  await train(dir, { baseDir: '/the/base' });
  assert.equal(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).baseDir, '/the/base', 'baseDir recorded for resume');
  await assert.rejects(train(dir), /run: already holds a training run \(checkpoints\/last\.json, checkpoints\/best\.json, agent\.onnx, summary\.json\); resume it/);
  const stale = freshDir();
  mkdirSync(join(stale, 'checkpoints'), { recursive: true });
  writeFileSync(join(stale, 'checkpoints', 'best.json'), '{}');
  await assert.rejects(train(stale), /already holds a training run \(checkpoints\/best\.json\)/);
  const logOnly = freshDir();
  mkdirSync(logOnly, { recursive: true });
  writeFileSync(join(logOnly, 'worker.log'), 'x\n');
  const s = await train(logOnly);
  assert.equal(s.steps, 128);
  assert.equal(JSON.parse(readFileSync(join(logOnly, 'manifest.json'), 'utf8')).baseDir, undefined);
});
