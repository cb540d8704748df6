import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const fixture = (p: string): string => join(ROOT, 'test', 'fixtures', p);

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('kb validate: a good file exits 0', () => {
  const r = cli(['kb', 'validate', fixture('kb-valid/movies.hints.json')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /movies\.hints\.json: valid/);
});

test('kb validate: errors with file:line:col, code and JSON path; exit 1', () => {
  const r = cli(['kb', 'validate', fixture('kb-semantic-errors/semantic.hints.json'), '--set', 'reflection.maxHintChars=120']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /semantic\.hints\.json:6:\d+: error \[duplicate-id\] hints\[1\]\.id: duplicate id "h-a"/);
  assert.match(r.stdout, /warning \[near-duplicate\] hints\[3\]\.text/);
  assert.match(r.stdout, /warning \[overlong\] hints\[5\]\.text: hint text has \d+ characters \(limit 120\)/);
  assert.match(r.stdout, /error \[schema\] hints\[7\]\.id: must match pattern/);
  assert.match(r.stdout, /\d+ error\(s\), \d+ warning\(s\)/);
});

test('kb validate --json --dataset: one JSON document; item titles of the dataset are found', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kb-cli-'));
  const file = join(dir, 'x.hints.json');
  writeFileSync(file, JSON.stringify({ version: 1, dataset: 'hetrec-mini', hints: [{ id: 'h-1', text: 'Recommend Grumpy Old Men to fans of comedies.' }, { id: 'h-2', text: 'Favour comedies.' }] }, null, 2));
  const r = cli(['kb', 'validate', file, '--dataset', join(ROOT, 'examples', 're2llm.config.json'), '--json']);
  // A named title makes the hint an answer: an error, so the KB does not validate.
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout) as { valid: boolean; errors: number; warnings: number; diagnostics: { code: string; severity: string; path: unknown[]; line: number }[] };
  assert.equal(doc.valid, false);
  assert.deepEqual(doc.diagnostics.map((d) => [d.code, d.severity, d.path, d.line]), [['leak', 'error', ['hints', 0, 'text'], 7]]);
});

test('kb validate: invalid JSON and a missing file', () => {
  const r = cli(['kb', 'validate', fixture('kb-invalid-json/broken.hints.json'), '--json']);
  assert.equal(r.code, 1);
  assert.equal((JSON.parse(r.stdout) as { diagnostics: { code: string }[] }).diagnostics[0]!.code, 'parse');
  const m = cli(['kb', 'validate', join(tmpdir(), 'nope', 'missing.hints.json')]);
  assert.equal(m.code, 2);
  assert.match(m.stderr, /missing\.hints\.json: cannot read KB/);
});

const authors = join(ROOT, '..', 'shared', 'datasets', 'hetrec2011-movielens', 'official', 'hints.json');

test('kb import-authors: 20 hints with stable ids; refuses to overwrite without --force', { skip: !existsSync(authors) && 'shared datasets not present' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kb-cli-'));
  const out = join(dir, 'hetrec.hints.json');
  const r = cli(['kb', 'import-authors', authors, '--out', out, '--dataset', 'hetrec2011-movielens', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { hints: number; ids: string[] };
  assert.equal(doc.hints, 20);
  const kb = JSON.parse(readFileSync(out, 'utf8')) as { dataset: string; hints: { id: string; text: string }[] };
  assert.equal(kb.dataset, 'hetrec2011-movielens');
  assert.deepEqual(kb.hints.map((h) => h.id), doc.ids);
  assert.ok(!readFileSync(out, 'utf8').includes('&#39;'));
  assert.equal(cli(['kb', 'validate', out]).code, 0);
  const again = cli(['kb', 'import-authors', authors, '--out', out]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /exists; pass --force/);
  assert.equal(cli(['kb', 'import-authors', authors, '--out', out, '--force']).code, 0);
});
