import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultsFile } from '../../src/protocol/results';
import { seedsSummary } from '../../webview/results/seeds';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '../fixtures', name, 'results.json'), 'utf8')) as ResultsFile;

/** results-full with another agent seed and a hand-set agent NDCG@10 and Δ vs no-hint. */
export function seedCopy(seed: number, agentNdcg: number, delta: number): ResultsFile {
  const r = fixture('results-full');
  r.run.id = `${r.run.id}-seed${seed}`;
  (r.run.config.agent as Record<string, unknown>).seed = seed;
  r.conditions.find((c) => c.condition === 'agent')!.metrics['NDCG@10']!.mean = agentNdcg;
  r.comparisons.find((p) => p.a === 'agent' && p.b === 'no-hint' && p.metric === 'NDCG@10')!.diff = delta;
  return r;
}

test('seeds summary: mean and sample sd over runs that differ only in a seed (hand-computed)', () => {
  const s = seedsSummary([seedCopy(1, 0.234, 0.048), seedCopy(2, 0.24, 0.054), seedCopy(3, 0.222, 0.042)])!;
  assert.ok(s);
  assert.equal(s.n, 3);
  assert.deepEqual(s.vary, [{ key: 'agent.seed', values: ['1', '2', '3'] }]);
  const agent = s.conditions.find((c) => c.condition === 'agent')!.metrics['NDCG@10']!;
  // mean 0.232; deviations 0.002, 0.008, -0.010: sd = sqrt(168e-6 / 2)
  assert.ok(Math.abs(agent.mean - 0.232) < 1e-12);
  assert.ok(Math.abs(agent.sd! - Math.sqrt(168e-6 / 2)) < 1e-12);
  assert.ok(s.conditions.find((c) => c.condition === 'no-hint')!.metrics['NDCG@10']!.sd! < 1e-15, 'unchanged across seeds');
  const d = s.deltas.find((x) => x.a === 'agent' && x.b === 'no-hint' && x.metric === 'NDCG@10')!.over;
  assert.ok(Math.abs(d.mean - 0.048) < 1e-12);
  assert.ok(Math.abs(d.sd! - 0.006) < 1e-12, 'deviations 0, 0.006, -0.006');
});

test('seeds summary: none for one run, for runs that differ in more than seeds, or for identical seeds', () => {
  assert.equal(seedsSummary([seedCopy(1, 0.2, 0.01)]), undefined);
  assert.equal(seedsSummary([fixture('results-full'), fixture('results-compare')]), undefined, 'preset and learning rate differ');
  const other = seedCopy(2, 0.2, 0.01);
  (other.run.config.agent as Record<string, unknown>).steps = 123;
  assert.equal(seedsSummary([seedCopy(1, 0.2, 0.01), other]), undefined);
  assert.equal(seedsSummary([seedCopy(1, 0.2, 0.01), seedCopy(1, 0.3, 0.02)]), undefined, 'nothing varies');
  // A study gives each cell its own folders: not a difference between experiments.
  const own = seedCopy(2, 0.2, 0.01);
  (own.run.config as Record<string, unknown>).output = { runsDir: '/elsewhere/runs', kbPath: '/elsewhere/kb.hints.json' };
  assert.equal(seedsSummary([seedCopy(1, 0.2, 0.01), own])?.n, 2);
  // Another KB is another experiment, unless the dataset seed varies (its splits feed reflection).
  const otherKb = seedCopy(2, 0.2, 0.01);
  otherKb.run.kb = { ...otherKb.run.kb!, fingerprint: 'different' };
  assert.equal(seedsSummary([seedCopy(1, 0.2, 0.01), otherKb]), undefined);
  (otherKb.run.config.dataset as Record<string, unknown>).seed = 99;
  assert.deepEqual(seedsSummary([seedCopy(1, 0.2, 0.01), otherKb])?.vary.map((v) => v.key), ['agent.seed', 'dataset.seed']);
});
