import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateBandit, checkBanditFile, readBanditFile, oracleSummary, TableBandit } from '../../../src/core/agent/syntheticBandit';

test('generator: shapes, arm 0 is zero, deterministic per seed, one best arm per type', () => {
  const a = generateBandit({ types: 3, dim: 8, arms: 6, contexts: 40, seed: 5 });
  const b = generateBandit({ types: 3, dim: 8, arms: 6, contexts: 40, seed: 5 });
  const c = generateBandit({ types: 3, dim: 8, arms: 6, contexts: 40, seed: 6 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(a.train.states.length, 40);
  assert.equal(a.validation.rewards[0]!.length, 6);
  assert.ok([...a.train.rewards, ...a.validation.rewards].every((r) => r[0] === 0));
  checkBanditFile(JSON.parse(JSON.stringify(a))); // round-trips through the checker
  const o = oracleSummary(a);
  assert.ok(o.perTypeArms && new Set(o.perTypeArms).size === 3, 'distinct best arms per type');
  assert.ok(o.perType! > o.bestFixed && o.bestFixed > o.uniform, `oracle ${o.perType} > best fixed ${o.bestFixed} > uniform ${o.uniform}`);
  assert.ok(o.perContext >= o.perType!);
});

test('oracle summary by hand on a 2-context file', () => {
  const f = checkBanditFile({
    dim: 1, arms: 3,
    train: { states: [[0], [1]], rewards: [[0, 0.5, -0.1], [0, -0.2, 0.3]], types: [0, 1] },
    validation: { states: [[0], [1]], rewards: [[0, 0.4, 0.2], [0, 0.1, 0.2]], types: [0, 1] },
  });
  const o = oracleSummary(f);
  assert.deepEqual(o.perTypeArms, [1, 2]);
  assert.ok(Math.abs(o.perType! - (0.4 + 0.2) / 2) < 1e-12);
  assert.ok(Math.abs(o.perContext - (0.4 + 0.2) / 2) < 1e-12);
  // best fixed on train: arm means [0, 0.15, 0.1] -> arm 1 -> validation (0.4 + 0.1) / 2
  assert.ok(Math.abs(o.bestFixed - 0.25) < 1e-12);
  const env = new TableBandit(1, 3, f.validation);
  assert.equal(env.reward(1, 2), Math.fround(0.2));
  assert.throws(() => env.reward(0, 3), /arm 3 out of range/);
});

test('bad files are rejected naming the file and the field', async () => {
  const ok = { dim: 2, arms: 2, train: { states: [[1, 2]], rewards: [[0, 1]] }, validation: { states: [[1, 2]], rewards: [[0, 1]] } };
  const bad = (patch: (o: any) => void, re: RegExp) => {
    const o = JSON.parse(JSON.stringify(ok));
    patch(o);
    assert.throws(() => checkBanditFile(o, 'f.json'), re);
  };
  bad((o) => (o.dim = 0), /f\.json \(field "dim"\)/);
  bad((o) => (o.train.states[0] = [1]), /field "train\.states\[0\]"\): must be an array of 2 numbers/);
  bad((o) => (o.validation.rewards[0] = [0.1, 1]), /validation\.rewards\[0\]\[0\]"\): arm 0/);
  bad((o) => (o.train.rewards = []), /has 0 rows but states has 1/);
  bad((o) => (o.train.types = [-1]), /train\.types/);
  bad((o) => delete o.validation, /field "validation"/);
  const dir = mkdtempSync(join(tmpdir(), 'bandit-'));
  writeFileSync(join(dir, 'x.json'), '{"dim": ');
  await assert.rejects(readBanditFile(join(dir, 'x.json')), /x\.json: invalid JSON/);
});
