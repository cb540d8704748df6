import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandStudyFolders } from '../../src/extension/results/resultsHost';
import { STUDY_RESULTS_SCHEMA_VERSION, type StudyResults } from '../../src/protocol/study';

test('a study folder (a run --seeds output) opens as its finished cells\' evaluation folders; other folders are kept', async () => {
  const root = mkdtempSync(join(tmpdir(), 'study-folder-'));
  const seeds = join(root, 'seeds-abc');
  mkdirSync(seeds);
  const cell = (id: string, status: 'done' | 'failed' | 'pending', evalDir?: string) => ({ id, label: id, axes: {}, variant: 'default', seed: 1, group: 'g', status, ...(evalDir ? { evalDir } : {}) });
  const study: StudyResults = {
    schemaVersion: STUDY_RESULTS_SCHEMA_VERSION, name: 'run-seeds', studyFile: '/c.json', createdAt: '', packageVersion: '0',
    axes: {}, variants: ['default'], seeds: { vary: ['agent.seed'], values: [1, 2, 3] }, metrics: ['NDCG@10'], conditions: [],
    cells: [cell('a', 'done', '/runs/eval-1'), cell('b', 'failed'), cell('c', 'done', '/runs/eval-3')],
    groups: [], comparisons: [], figures: [], methods: { seedInterval: '', comparison: '' },
    usage: { calls: 0, cellCalls: 0, estimate: null, seconds: 0 }, complete: false,
  };
  writeFileSync(join(seeds, 'study.json'), JSON.stringify(study));
  const plain = join(root, 'eval-x');
  mkdirSync(plain);
  const broken = join(root, 'broken');
  mkdirSync(broken);
  writeFileSync(join(broken, 'study.json'), '{');
  assert.deepEqual(await expandStudyFolders([seeds, plain, broken]), ['/runs/eval-1', '/runs/eval-3', plain, broken]);
});
