import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseAgentManifest, readAgentManifest } from '../../../src/core/evaluate/agentManifest';
import { loadAgentPolicy } from '../../../src/core/evaluate/agentAdapter';
import { StaleAgentError } from '../../../src/core/evaluate/agentPolicy';
import { parseTrainingCurve, readTrainingCurve } from '../../../src/core/evaluate/trainingCurve';
import { sampleSessions } from '../../../src/core/evaluate/sample';
import { formatMetricTable } from '../../../src/core/evaluate/format';
import type { ResultsFile } from '../../../src/protocol/results';
import { loadEvalFixture, FIXTURES } from './fixtures';

const RUN = join(FIXTURES, 'eval-agent-run');

test('agent manifest: the run-folder contract\'s fields; missing or malformed fields named', async () => {
  const m = await readAgentManifest(RUN);
  assert.deepEqual([m.datasetHash, m.kbFingerprint, m.hintIds, m.hintTexts?.[1]], ['hash-1', 'fp-1', ['none', 'h-a', 'h-b'], 'Think about the era.']);
  const flat = parseAgentManifest({ datasetHash: 'd', kbFingerprint: 'k', hintIds: ['none'] }, 'm.json');
  assert.equal(flat.hintTexts, undefined);
  assert.throws(() => parseAgentManifest({ kbFingerprint: 'k', hintIds: ['none'] }, 'm.json'), /m\.json \(field "datasetHash"\): missing the dataset hash/);
  assert.throws(() => parseAgentManifest({ datasetHash: 'd', kbFingerprint: 'k', hintIds: ['h-a'] }, 'm.json'), /field "hintIds"/);
  assert.throws(() => parseAgentManifest({ datasetHash: 'd', kbFingerprint: 'k', hintIds: ['none'], hintTexts: ['', 'x'] }, 'm.json'), /2 hint texts for 1 hint ids/);
  assert.throws(() => parseAgentManifest([1], 'm.json'), /must be a JSON object/);
  // The nested form no writer ever produced is not read.
  assert.throws(() => parseAgentManifest({ dataset: { hash: 'd' }, kb: { fingerprint: 'k', hintIds: ['none'] } }, 'm.json'), /field "datasetHash"/);
  assert.throws(() => parseAgentManifest({ datasetHash: 'd', kbFingerprint: 'k', hintIds: ['none'], encoder: 'hashing-768' }, 'm.json'), /m\.json \(field "encoder"\): must be \{kind, id, dim\}/);
  const dir = mkdtempSync(join(tmpdir(), 'man-'));
  await assert.rejects(readAgentManifest(dir), /manifest\.json: not a training run folder: cannot read manifest\.json \(ENOENT\)/);
  writeFileSync(join(dir, 'manifest.json'), '{"datasetHash": ');
  await assert.rejects(readAgentManifest(dir), /manifest\.json: invalid JSON/);
});

test('loadAgentPolicy refuses a stale agent before loading any weights', async () => {
  let loaded = 0;
  const factory = async () => {
    loaded++;
    return async () => 1;
  };
  const actions = [{ id: 'none', text: '' }, { id: 'h-a', text: 'Think about the era.' }, { id: 'h-b', text: 'Think about the genre.' }];
  const ok = await loadAgentPolicy(RUN, { dataset: loadEvalFixture(), config: {} as never }, factory, { datasetHash: 'hash-1', kbFingerprint: 'fp-1', actions });
  assert.equal(await ok.pick(loadEvalFixture().splits.test[0]!), 1);
  assert.equal(ok.runDir, RUN);
  await assert.rejects(
    loadAgentPolicy(RUN, { dataset: loadEvalFixture(), config: {} as never }, factory, { datasetHash: 'hash-1', kbFingerprint: 'fp-2', actions: actions.slice(0, 2) }),
    (e: unknown) => e instanceof StaleAgentError && /KB fingerprint: trained on fp-1, current fp-2; hints removed or disabled: h-b/.test((e as Error).message),
  );
  assert.equal(loaded, 1);
});

test('training curve: both spellings, torn and foreign lines skipped', async () => {
  assert.deepEqual(await readTrainingCurve(RUN), [
    { step: 32, meanReward: 0.01, entropy: 1.09, valueLoss: 0.2 },
    { step: 64, meanReward: 0.04, valueLoss: 0.1, validationReward: 0.03 },
  ]);
  assert.equal(await readTrainingCurve(join(RUN, 'missing')), undefined);
  assert.deepEqual(parseTrainingCurve('[1]\n{"step":"1","meanReward":2}\n'), []);
});

test('session sample: seeded, in split order, all when size is 0 or too big', () => {
  const sessions = Array.from({ length: 50 }, (_, i) => ({ id: `s${i}`, history: ['1'], target: '2', candidates: ['2'] }));
  const a = sampleSessions(sessions, 10, 7, 'test');
  assert.equal(a.length, 10);
  assert.deepEqual(a, sampleSessions(sessions, 10, 7, 'test'));
  assert.notDeepEqual(a, sampleSessions(sessions, 10, 8, 'test'));
  const idx = a.map((s) => Number(s.id.slice(1)));
  assert.deepEqual(idx, [...idx].sort((x, y) => x - y));
  assert.equal(sampleSessions(sessions, 0, 7, 'test').length, 50);
  assert.equal(sampleSessions(sessions, 80, 7, 'test').length, 50);
});

test('metric table: means, CIs, usage, paired tests and agent picks', () => {
  const e = (mean: number) => ({ mean, ciLow: mean - 0.1, ciHigh: mean + 0.1 });
  const r = {
    ks: [1, 10],
    conditions: [
      { condition: 'agent', n: 3, metrics: { 'HR@1': e(0.5), 'HR@10': e(0.75), 'NDCG@1': e(0.5), 'NDCG@10': e(0.6), MRR: e(0.55) }, rates: { invalidOutput: 0.25, hallucination: 0.125, parseFailure: 0, duplicates: 0 }, usage: { calls: 12, cacheHits: 3, promptTokens: 100, completionTokens: 20, cost: 0.0123 } },
      { condition: 'best-fixed-hint', hintId: 'h-a', n: 3, metrics: { 'HR@1': e(0.25), 'HR@10': e(0.5), 'NDCG@1': e(0.25), 'NDCG@10': e(0.4), MRR: e(0.3) }, rates: { invalidOutput: 0, hallucination: 0, parseFailure: 0, duplicates: 0 }, usage: { calls: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, cost: 0 } },
    ],
    comparisons: [{ a: 'agent', b: 'best-fixed-hint', metric: 'NDCG@10', diff: 0.2, pValue: 0.031, pHolm: 0.062, n: 3 }],
    hints: [{ id: 'none', text: '', picks: 0, meanReward: null }, { id: 'h-a', text: 'Think about the era.', picks: 3, meanReward: 0.1 }],
  } as unknown as ResultsFile;
  const t = formatMetricTable(r);
  assert.match(t, /^condition\s+n\s+HR@1\s+HR@10\s+NDCG@10\s+MRR$/m);
  assert.doesNotMatch(t.split('\n')[0]!, /NDCG@1 /);
  assert.match(t, /^agent\s+3\s+0\.5000\s+0\.7500\s+0\.6000\s+0\.5500$/m);
  assert.match(t, /^best-fixed-hint \(h-a\)\s+3\s+0\.2500/m);
  assert.match(t, /^agent\s+\[0\.500, 0\.700\]\s+\[0\.650, 0\.850\]\s+12\s+3\s+120\s+0\.0123\s+25\.0%\s+12\.5%\s+0\.0%$/m);
  // a schema-1 comparison: no family, no interval
  assert.match(t, /agent vs best-fixed-hint\s+-\s+NDCG@10\s+\+0\.2000\s+-\s+0\.031\s+0\.062\s+3/);
  assert.match(t, /^h-a\s+3\s+0\.1000\s+Think about the era\.$/m);
  assert.match(t, /not a test of a difference/);
  assert.doesNotMatch(t, /Δ NDCG@10 vs no-hint/, 'no Δ column without paired intervals');
});

test('metric table, schema 2: the Δ vs no-hint column, families, MDE, baselines and entropy', () => {
  const e = (mean: number) => ({ mean, ciLow: mean - 0.1, ciHigh: mean + 0.1 });
  const cond = (condition: string, m: number) => ({ condition, n: 200, metrics: { 'HR@10': e(m), 'NDCG@10': e(m) }, rates: { invalidOutput: 0, hallucination: 0, parseFailure: 0, duplicates: 0 }, usage: { calls: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, cost: 0 } });
  const r = {
    ks: [10],
    conditions: [cond('no-hint', 0.15), cond('agent', 0.17), cond('sknn', 0.28)],
    comparisons: [
      { a: 'agent', b: 'no-hint', metric: 'NDCG@10', diff: 0.0169, ciLow: -0.012, ciHigh: 0.0451, sd: 0.2, pValue: 0.2, pHolm: 0.33, n: 200, family: 'primary', permutations: 10000 },
      { a: 'sknn', b: 'no-hint', metric: 'NDCG@10', diff: 0.13, ciLow: 0.1, ciHigh: 0.16, sd: 0.3, pValue: 0.0001, n: 200, family: 'secondary', permutations: 10000 },
    ],
    hints: [],
    statistics: { ciMethod: 'percentile-bootstrap', bootstrap: 1000, permutations: 10000, alpha: 0.05, primaryMetric: 'NDCG@10', primary: ['agent vs no-hint'], mde: [{ a: 'agent', b: 'no-hint', metric: 'NDCG@10', n: 200, sd: 0.2, mde: 0.0396, power: 0.8 }] },
    baselines: { bestFixedHint: { hintId: 'none', reward: 0, chosenOn: 'train+validation', sessions: 480 }, randomHint: { estimate: 'seeded-draw', hints: 20, seed: 7 } },
    agentTraining: { maxEntropy: Math.log(21), finalEntropy: 3.03, nearUniform: true, steps: 2944, checkpoint: 'last' },
  } as unknown as ResultsFile;
  const t = formatMetricTable(r);
  assert.match(t, /Δ NDCG@10 vs no-hint \[95% CI\], p/);
  // the primary comparison shows its Holm-adjusted p, a secondary one its raw p
  assert.match(t, /^agent\s+200\s+0\.1700\s+0\.1700\s+\+0\.0169 \[-0\.0120, \+0\.0451\], p\(Holm\) = 0\.330$/m);
  assert.match(t, /^sknn\s+200\s+0\.2800\s+0\.2800\s+\+0\.1300 \[\+0\.1000, \+0\.1600\], p = 1\.0e-4$/m);
  assert.match(t, /^agent vs no-hint\s+primary\s+NDCG@10/m);
  assert.match(t, /^sknn vs no-hint\s+secondary/m);
  assert.match(t, /Minimum detectable effect \(80% power, α = 0\.05, two-sided\): agent vs no-hint NDCG@10 ±0\.0396 with n = 200/);
  assert.match(t, /best-fixed-hint: none \(mean reward 0\.0000 on train\+validation, 480 sessions/);
  assert.match(t, /random-hint: one seeded draw per session/);
  assert.match(t, /final policy entropy 3\.030 of at most ln 21 = 3\.045 after 2944 steps, checkpoint last — WARNING: close to uniform/);
});
