import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsFile } from '../../../src/protocol/results';
import { renderReportHtml, jsonForScript, scriptForHtml, reportCsp, EMBEDDED_DATA_ID } from '../../../src/core/report/html';
import { writeReport, loadResults, assetCandidates } from '../../../src/core/report/write';
import { InputError } from '../../../src/core/util/errors';

const fixtures = join(__dirname, '../../fixtures');
const small = JSON.parse(readFileSync(join(fixtures, 'results-small/results.json'), 'utf8')) as ResultsFile;
const assets = { bundleJs: 'window.__ran = true;', css: 'body { color: red; }' };

/** The embedded JSON as the browser sees it: text between the data tag and the next </script>. */
function embeddedJson(html: string): string {
  const open = `<script type="application/json" id="${EMBEDDED_DATA_ID}">`;
  const start = html.indexOf(open) + open.length;
  return html.slice(start, html.indexOf('</script>', start));
}

test('jsonForScript: no <, > or & survives, and JSON.parse restores the value', () => {
  const evil = { title: '</script><script>alert(1)</script><!-- & \u2028 \u2029 >' };
  const s = jsonForScript(evil);
  assert.doesNotMatch(s, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(s), evil);
});

test('a run whose strings contain </script> cannot break out of the data element', () => {
  const evil: ResultsFile = structuredClone(small);
  evil.run.name = '</script><script>alert("x")</script>';
  evil.run.notes = '<!-- <script>';
  const html = renderReportHtml(evil, assets, { nonce: 'bm9uY2U=' });
  // Exactly the two script elements we wrote (data, bundle) and no injected one.
  assert.equal(html.match(/<script/g)?.length, 2);
  assert.deepEqual(JSON.parse(embeddedJson(html)), [evil]);
  assert.ok(html.includes('<title>Re2LLM results: &lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</title>'));
});

test('the page: nonce-only CSP with default-src none, inlined CSS and bundle with that nonce, several runs', () => {
  const other = structuredClone(small);
  other.run.id = 'other-run';
  const html = renderReportHtml([small, other], assets, { nonce: 'bm9uY2U=' });
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.equal(reportCsp('bm9uY2U='), "default-src 'none'; script-src 'nonce-bm9uY2U='; style-src 'nonce-bm9uY2U='; img-src data:; base-uri 'none'; form-action 'none'");
  assert.ok(html.includes(`content="default-src 'none'; script-src 'nonce-bm9uY2U='; style-src 'nonce-bm9uY2U='; img-src data:;`));
  assert.ok(html.includes('<style nonce="bm9uY2U=">\nbody { color: red; }\n</style>'));
  assert.ok(html.includes('<script nonce="bm9uY2U=">\nwindow.__ran = true;\n</script>'));
  assert.doesNotMatch(html.replace(embeddedJson(html), ''), /unsafe-inline|unsafe-eval|https?:\/\/|<link|src=/);
  assert.deepEqual(JSON.parse(embeddedJson(html)).map((r: ResultsFile) => r.run.id), ['small-run', 'other-run']);
});

test('fresh random nonce per render; a nonce that is not base64 is refused', () => {
  const a = /nonce-([^']+)'/.exec(renderReportHtml(small, assets))?.[1];
  const b = /nonce-([^']+)'/.exec(renderReportHtml(small, assets))?.[1];
  assert.ok(a && b && a !== b && a.length >= 16);
  assert.throws(() => renderReportHtml(small, assets, { nonce: "x' 'unsafe-inline" }), /base64/);
});

test('scriptForHtml escapes </script in the bundle and refuses <!--', () => {
  assert.equal(scriptForHtml('const s = "</script>"; const t = "</SCRIPT>";'), 'const s = "<\\/script>"; const t = "<\\/SCRIPT>";');
  assert.throws(() => scriptForHtml('const s = "<!--";'), /<!--/);
});

test('writeReport writes runDir/report.html atomically with the embedded runs; --out and comparison runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 're2llm-report-'));
  try {
    writeFileSync(join(dir, 'results.json'), JSON.stringify(small));
    const r = await writeReport(dir, { assets });
    assert.equal(r.path, join(dir, 'report.html'));
    assert.deepEqual(r.runs, ['small-run']);
    const html = readFileSync(r.path, 'utf8');
    assert.equal(Buffer.byteLength(html), r.bytes);
    assert.deepEqual(JSON.parse(embeddedJson(html))[0].run.id, 'small-run');
    const out = join(dir, 'sub', 'cmp.html');
    const r2 = await writeReport(dir, { assets, out, compareWith: [join(fixtures, 'results-full')] });
    assert.equal(r2.path, out);
    assert.deepEqual(r2.runs, ['small-run', '2026-11-26T2210-bandit']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadResults names the file, line and field of bad input', async () => {
  const dir = mkdtempSync(join(tmpdir(), 're2llm-report-bad-'));
  try {
    await assert.rejects(loadResults(dir), (e: Error) => e instanceof InputError && e.message.includes(join(dir, 'results.json')) && /no results here/.test(e.message));
    writeFileSync(join(dir, 'results.json'), '{\n  "schemaVersion": 1,\n  "run": oops\n}');
    await assert.rejects(loadResults(dir), (e: Error) => e instanceof InputError && /invalid JSON/.test(e.message) && (e as InputError).line === 3);
    mkdirSync(join(dir, 'v2'));
    writeFileSync(join(dir, 'v2', 'results.json'), JSON.stringify({ ...small, schemaVersion: 99 }));
    await assert.rejects(loadResults(join(dir, 'v2')), (e: Error) => e instanceof InputError && (e as InputError).field === 'schemaVersion');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('asset lookup: dist/webview next to dist/cli.js, the repository dist/ from source', () => {
  const c = assetCandidates('/x/ext/dist');
  assert.equal(c.js[0], '/x/ext/dist/webview/results.js');
  assert.equal(c.css[0], '/x/ext/media/results.css');
  const s = assetCandidates('/repo/src/core/report');
  assert.equal(s.js[1], '/repo/dist/webview/results.js');
  assert.equal(s.css[1], '/repo/media/results.css');
});
