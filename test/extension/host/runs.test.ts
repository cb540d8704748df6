import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRuns } from '../../../src/extension/host/runs';
import { updateRunInfo } from '../../../src/core/evaluate/runInfo';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

test('run list: name and star (also on an unnamed run) label the run; the first line of its notes is kept for pickers', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'runs-list-'));
  cpSync(join(FIXTURES, 'results-small'), join(runs, 'a'), { recursive: true });
  cpSync(join(FIXTURES, 'results-compare'), join(runs, 'b'), { recursive: true });
  await updateRunInfo(join(runs, 'a'), { name: '', starred: true });
  await updateRunInfo(join(runs, 'b'), { name: 'Paper PPO', notes: 'seed 7\nlr 3e-4' });
  const byId = new Map((await listRuns(runs)).map((r) => [r.id, r]));
  assert.equal(byId.get('a')!.label, '★ a');
  assert.equal(byId.get('b')!.label, 'Paper PPO');
  assert.equal(byId.get('b')!.notes, 'seed 7');
  await updateRunInfo(join(runs, 'b'), { starred: true });
  assert.equal((await listRuns(runs)).find((r) => r.id === 'b')!.label, '★ Paper PPO');
});
