import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { readResults } from '../../../src/core/evaluate/output';
import { validateResultsFile } from '../../../src/core/evaluate/resultsSchema';
import { formatMetricTable } from '../../../src/core/evaluate/format';
import { exportMetricTable } from '../../../src/core/report/export';
import { loadResults } from '../../../src/core/report/write';
import { isResultsFile, RESULTS_SCHEMA_VERSION } from '../../../src/protocol/results';

const fixture = join(__dirname, '..', '..', 'fixtures', 'results-full');

test('a schema-1 results.json (written before paired intervals) still reads, validates, prints and exports', async () => {
  assert.equal(RESULTS_SCHEMA_VERSION, 2);
  const raw = JSON.parse(readFileSync(join(fixture, 'results.json'), 'utf8')) as { schemaVersion: number };
  assert.equal(raw.schemaVersion, 1, 'the fixture is an old file');
  assert.ok(isResultsFile(raw));
  assert.deepEqual(validateResultsFile(raw), []);
  const r = await readResults(fixture);
  assert.equal((await loadResults(fixture)).run.id, r.run.id);
  const table = formatMetricTable(r);
  assert.match(table, /paired comparison/);
  assert.doesNotMatch(table, /Minimum detectable effect/, 'no MDE without the per-session SD');
  for (const f of ['csv', 'latex', 'json'] as const) assert.ok(exportMetricTable(r, f).length > 100, f);
  assert.ok(!isResultsFile({ ...raw, schemaVersion: 3 }));
});
