import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureDataset } from './simFixture';
import { defaultResponders, registerSimResponder, withRankFallback } from '../../../src/core/sim/registry';
import { measureSignal } from '../../../src/core/sim/signal';

test('default responders: registered first, then reflection/redundancy, rank last', () => {
  const names = defaultResponders().map((r) => r.name);
  assert.equal(names[names.length - 1], 'rank');
  assert.ok(names.includes('reflection') && names.includes('redundancy'), names.join(','));
  registerSimResponder({ name: 'custom', matches: () => false, respond: () => '' });
  registerSimResponder({ name: 'custom', matches: () => true, respond: () => 'v2' });
  const after = defaultResponders();
  assert.equal(after[0]!.name, 'custom');
  assert.equal(after.filter((r) => r.name === 'custom').length, 1, 'same name replaces');
  assert.equal(after[0]!.respond([], { dataset: fixtureDataset(), seed: 0 }), 'v2');
  assert.deepEqual(withRankFallback([]).map((r) => r.name), ['rank']);
});

test('measureSignal reports base metrics and per-family hint effects, deterministically', () => {
  const ds = fixtureDataset();
  const r = measureSignal(ds, ds.splits.train, { seed: 9 });
  assert.equal(r.sessions, 4);
  assert.deepEqual(r.perFamily.map((p) => p.family), ['countries', 'directors', 'genres', 'year']);
  assert.ok(r.base.hr >= 0 && r.base.hr <= 1 && r.base.ndcg <= r.base.hr);
  assert.ok(r.oracleNdcgGain >= 0);
  const genre = r.perFamily.find((p) => p.family === 'genres')!;
  assert.match(genre.hint, /genre/);
  assert.deepEqual(measureSignal(ds, ds.splits.train, { seed: 9 }), r);
});
