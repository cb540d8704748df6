/**
 * A worker SIGKILLed before its first checkpoint: the error does not point at a checkpoint that
 * does not exist, the folder is recognised as unfinished, and `train --resume` (resume: true)
 * starts it again and finishes instead of saying "nothing to resume".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTrainingWorker } from '../../src/worker/client';
import { defaultConfig, type Re2llmConfig } from '../../src/core/config/defaults';
import { RUN_FILES } from '../../src/protocol/runFolder';
import { holdsTrainedState, isFinishedTraining, readTrainSummary } from '../../src/core/agent/runFolder';

const WORKER = join(__dirname, '../../src/worker/main.ts');
const BANDIT = join(__dirname, '../fixtures/bandit-tiny/bandit.json');

test('a worker killed before its first checkpoint is restarted by train --resume, and the message names no checkpoint', async () => {
  const c = defaultConfig();
  // The only validation point (and so the first checkpoint) is the last update.
  const config: Re2llmConfig = { ...c, agent: { ...c.agent, validateEvery: 100_000, seed: 3 } };
  const steps = 64 * 100;
  const dir = join(mkdtempSync(join(tmpdir(), 'worker-kill-')), 'run');
  const h = startTrainingWorker({ config, workerPath: WORKER, options: { runDir: dir, resume: false, steps, bandit: BANDIT, packageVersion: 't' } });
  let killedAt = -1;
  h.on('progress', (p) => {
    if (killedAt < 0) {
      killedAt = p.step;
      h.kill();
    }
  });
  await assert.rejects(h.result, (err: Error) => {
    assert.match(err.message, /before finishing; it wrote no checkpoint yet, so the next run or train --resume .* starts it again/);
    assert.doesNotMatch(err.message, /last checkpoint is in/);
    return true;
  });
  assert.ok(killedAt > 0 && killedAt < steps, `killed at ${killedAt}`);
  assert.deepEqual(await holdsTrainedState(dir), [], 'killed before any checkpoint');
  assert.ok(existsSync(join(dir, RUN_FILES.manifest)));
  assert.equal(await isFinishedTraining(dir), false);

  const again = startTrainingWorker({ config, workerPath: WORKER, options: { runDir: dir, resume: true, bandit: BANDIT, packageVersion: 't' } });
  const logs: string[] = [];
  again.on('log', (_l, t) => logs.push(t));
  const s = await again.result;
  assert.equal(s.steps, steps);
  assert.ok(logs.some((l) => /no checkpoint to resume from .*starting it again/.test(l)), logs.join('\n'));
  assert.ok(await isFinishedTraining(dir));
  assert.equal((await readTrainSummary(dir))?.steps, steps, 'the CLI\'s worker writes summary.json too');
});
