import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../../src/core/config/resolve';
import { loadDataset } from '../../../src/core/data/load';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

test('bundled example: hetrec-mini loads through examples/re2llm.config.json with origin ids and attributes', async () => {
  const { config } = resolveConfig({ configFile: join(EXAMPLES, 're2llm.config.json') });
  assert.equal(config.dataset.path, join(EXAMPLES, 'hetrec-mini'));
  assert.deepEqual([config.dataset.itemNoun, config.dataset.itemNounPlural, config.dataset.verbPast, config.dataset.verbPresent], ['movie', 'movies', 'watched', 'watch']);
  const ds = await loadDataset(config);
  assert.equal(ds.name, 'hetrec-mini');
  assert.deepEqual([ds.splits.train.length, ds.splits.validation.length, ds.splits.test.length], [400, 80, 1000]);
  assert.deepEqual(ds.splits.train.slice(0, 100).map((s) => s.id), Array.from({ length: 100 }, (_, i) => `train-${i}`));
  assert.equal(ds.items.get(ds.splits.train[0]!.target)!.title, 'The Addams Family');
  for (const s of [...ds.splits.train, ...ds.splits.validation, ...ds.splits.test]) {
    assert.equal(s.candidates.length, 50);
    assert.ok(s.history.length <= 60);
  }
  assert.ok([...ds.items.values()].every((i) => i.attributes.genres || i.attributes.year), 'HetRec attributes kept');
  const bytes = readdirSync(join(EXAMPLES, 'hetrec-mini')).reduce((n, f) => n + statSync(join(EXAMPLES, 'hetrec-mini', f)).size, 0);
  // 1,000 test sessions (enough to see a +0.02 NDCG effect) and only the items they use: about 2.1 MiB
  assert.ok(bytes < 2.5 * 1024 * 1024, `${bytes} bytes: the example ships in the VSIX, keep it small`);
});
