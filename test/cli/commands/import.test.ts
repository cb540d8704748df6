import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const fixture = (name: string): string => join(ROOT, 'test', 'fixtures', name);

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('re2llm import FOLDER --json prints one JSON document with counts, skipped rows, notes and hash', () => {
  const r = cli(['import', fixture('data-jsonl-bad-rows'), '--skip-bad-rows', '--json', '--set', 'dataset.validationFraction=0']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(doc.format, 'jsonl');
  assert.equal(doc.items, 6);
  assert.deepEqual(doc.sessions, { train: 2, validation: 0, test: 1 });
  assert.equal(doc.skippedRows, 4);
  assert.match(doc.hash as string, /^[0-9a-f]{64}$/);
  assert.equal(typeof doc.importMs, 'number');
  assert.match(r.stderr, /importing .*data-jsonl-bad-rows \(format jsonl, detected\)/);
});

test('re2llm import CONFIG.json uses its dataset.path (relative to the config) and settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'import-cli-'));
  const config = join(dir, 're2llm.config.json');
  writeFileSync(config, JSON.stringify({ dataset: { path: relative(dir, fixture('data-csv-basic')), candidates: 3, testFraction: 0, validationFraction: 0, name: 'tiny' } }));
  const r = cli(['import', config, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { name: string; format: string; sessions: { train: number } };
  assert.equal(doc.name, 'tiny');
  assert.equal(doc.format, 'csv');
  assert.equal(doc.sessions.train, 2);
});

test('re2llm import: a bad row exits 2 with file:line (field) in the error; --format forces an importer', () => {
  const r = cli(['import', fixture('data-csv-bad-rows'), '--json', '--set', 'dataset.candidates=3']);
  assert.equal(r.code, 2);
  assert.match(JSON.parse(r.stdout).error, /^interactions\.csv:4 \(field "timestamp"\)/);
  const forced = cli(['import', fixture('data-csv-basic'), '--format', 'jsonl']);
  assert.equal(forced.code, 2);
  assert.match(forced.stderr, /items\.jsonl: cannot read/);
});
