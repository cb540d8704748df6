import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderStudyHtml, reportLinks, EMBEDDED_STUDY_ID } from '../../../src/core/study/html';
import { STUDY_RESULTS_SCHEMA_VERSION, type StudyResults } from '../../../src/protocol/study';

const results = (): StudyResults => ({
  schemaVersion: STUDY_RESULTS_SCHEMA_VERSION, name: 'tiny</script>', studyFile: '/s/tiny.study.json', createdAt: '', packageVersion: '0.1.0',
  axes: {}, variants: ['default'], seeds: { vary: [], values: [] }, metrics: ['NDCG@10'], conditions: [],
  cells: [
    { id: 'aaaaaaaaaaaa', label: 'a', axes: {}, variant: 'default', seed: null, group: 'g', status: 'done', reportPath: '/out/cells/aaaaaaaaaaaa/runs/eval-1/report.html' },
    { id: 'bbbbbbbbbbbb', label: 'b', axes: {}, variant: 'default', seed: null, group: 'g', status: 'done', reportPath: '/elsewhere/report.html' },
  ],
  groups: [], comparisons: [], figures: [], methods: { seedInterval: '', comparison: '' },
  usage: { calls: 0, cellCalls: 0, estimate: null, seconds: 0 }, complete: true,
});

test('study.html: nonce-only CSP, the study embedded safely, the bundle inlined', () => {
  const html = renderStudyHtml(results(), { bundleJs: 'console.log(1)', css: 'body{}' }, { aaaaaaaaaaaa: 'cells/a/report.html' }, 'bm9uY2U=');
  assert.match(html, /content="default-src 'none'; script-src 'nonce-bm9uY2U='; style-src 'nonce-bm9uY2U='/);
  assert.match(html, new RegExp(`<script type="application/json" id="${EMBEDDED_STUDY_ID}">`));
  assert.ok(!html.includes('tiny</script>'), 'a name cannot close the data element');
  const data = JSON.parse(/id="re2llm-study-data">(.*?)<\/script>/s.exec(html)![1]!);
  assert.equal(data.results.name, 'tiny</script>');
  assert.deepEqual(data.reports, { aaaaaaaaaaaa: 'cells/a/report.html' });
  assert.match(html, /<script nonce="bm9uY2U=">\nconsole\.log\(1\)/);
});

test('reportLinks: relative links to the reports inside the study folder only', () => {
  assert.deepEqual(reportLinks('/out', results()), { aaaaaaaaaaaa: 'cells/aaaaaaaaaaaa/runs/eval-1/report.html' });
});
