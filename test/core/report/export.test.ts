import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultsFile } from '../../../src/protocol/results';
import { exportMetricTable, metricTableCsv, metricTableLatex, metricTableJson, latexEscape, csvField, toCsv } from '../../../src/core/report/export';
import { metricTable, orderMetrics } from '../../../src/core/report/table';

const small = JSON.parse(readFileSync(join(__dirname, '../../fixtures/results-small/results.json'), 'utf8')) as ResultsFile;

test('metric columns: HR@K by K, then NDCG@K, then MRR, then others', () => {
  assert.deepEqual(orderMetrics(['MRR', 'NDCG@10', 'HR@10', 'custom', 'HR@1', 'NDCG@5', 'HR@5']), ['HR@1', 'HR@5', 'HR@10', 'NDCG@5', 'NDCG@10', 'MRR', 'custom']);
});

test('best per column excludes the oracle and marks ties', () => {
  const t = metricTable(small);
  const best = (cond: string, m: string) => t.rows.find((r) => r.condition === cond)?.cells.find((c) => c.metric === m)?.best;
  assert.equal(best('best-fixed-hint', 'HR@10'), true);
  assert.equal(best('oracle', 'HR@10'), false, 'the oracle (1.0) is an upper bound');
  assert.equal(best('best-fixed-hint', 'NDCG@10'), true);
  assert.equal(best('agent', 'NDCG@10'), true, 'tie at 0.3125');
  assert.equal(best('no-hint', 'NDCG@10'), false);
});

test('CSV: exact text, full precision, quoted fields, empty cells for missing metrics', () => {
  const expected = [
    'condition,hint_id,n,HR@10,HR@10_ci_low,HR@10_ci_high,NDCG@10,NDCG@10_ci_low,NDCG@10_ci_high',
    'no-hint,,4,0.5,0,1,0.25,0.125,0.375',
    'best-fixed-hint,"h_1,a",4,0.75,0.25,1,0.3125,0.125,0.5',
    'agent,,4,0.5,0,1,0.3125,0.1875,0.4375',
    'oracle,,4,1,1,1,0.625,0.5,0.75',
    'popularity,,4,,,,0,0,0',
    '',
  ].join('\r\n');
  assert.equal(metricTableCsv(small), expected);
  assert.equal(exportMetricTable(small, 'csv'), expected);
});

test('CSV quoting follows RFC 4180', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('cr\r'), '"cr\r"');
  assert.equal(csvField(null), '');
  assert.equal(csvField(0), '0');
  assert.equal(toCsv([['a', 1], ['b,c', null]]), 'a,1\r\n"b,c",\r\n');
});

test('LaTeX: booktabs table with mean ± CI half-width, best in bold, oracle below a rule, escaped caption', () => {
  const expected = [
    '% Re2LLM Studio 0.1.0, run small-run. Needs \\usepackage{booktabs}.',
    '\\begin{table}[t]',
    '\\centering',
    '\\caption{Ranking quality on ml\\_100k \\#2 with gpt\\_mini 100\\% \\& co: mean over 4 test sessions; $\\pm$ half-width of the bootstrap 95\\% confidence interval; best in bold (upper bounds excluded).}',
    '\\label{tab:re2llm-results}',
    '\\begin{tabular}{lcc}',
    '\\toprule',
    'Condition & HR@10 & NDCG@10 \\\\',
    '\\midrule',
    'No hint & 0.500 {\\scriptsize $\\pm$ 0.500} & 0.250 {\\scriptsize $\\pm$ 0.125} \\\\',
    'Best fixed hint & \\textbf{0.750} {\\scriptsize $\\pm$ 0.375} & \\textbf{0.313} {\\scriptsize $\\pm$ 0.188} \\\\',
    'Agent (Re2LLM) & 0.500 {\\scriptsize $\\pm$ 0.500} & \\textbf{0.313} {\\scriptsize $\\pm$ 0.125} \\\\',
    'Popularity & -- & 0.000 {\\scriptsize $\\pm$ 0.000} \\\\',
    '\\midrule',
    'Oracle (upper bound) & 1.000 {\\scriptsize $\\pm$ 0.000} & 0.625 {\\scriptsize $\\pm$ 0.125} \\\\',
    '\\bottomrule',
    '\\end{tabular}',
    '\\end{table}',
    '',
  ].join('\n');
  assert.equal(metricTableLatex(small), expected);
});

test('LaTeX: [lo, hi] intervals, plain means, digits and label options', () => {
  const interval = metricTableLatex(small, { ci: 'interval' });
  assert.ok(interval.includes('No hint & 0.500 {\\scriptsize [0.000, 1.000]} & 0.250 {\\scriptsize [0.125, 0.375]} \\\\'), interval);
  assert.ok(interval.includes('bootstrap 95\\% confidence interval in brackets'));
  const none = metricTableLatex(small, { ci: 'none', digits: 2, label: 'tab:x' });
  assert.ok(none.includes('Best fixed hint & \\textbf{0.75} & \\textbf{0.31} \\\\'), none);
  assert.ok(none.includes('\\label{tab:x}'));
  assert.ok(!none.includes('scriptsize'));
});

test('LaTeX escaping covers the special characters', () => {
  assert.equal(latexEscape('50% of a_b & c #1'), '50\\% of a\\_b \\& c \\#1');
  assert.equal(latexEscape('{x} $y$ ~ ^ \\'), '\\{x\\} \\$y\\$ \\textasciitilde{} \\textasciicircum{} \\textbackslash{}');
});

test('JSON: the metric table with best flags, parseable, no sessions or config', () => {
  const j = JSON.parse(metricTableJson(small));
  assert.deepEqual(j.metrics, ['HR@10', 'NDCG@10']);
  assert.equal(j.run.id, 'small-run');
  assert.equal(j.conditions.length, 5);
  const bfh = j.conditions.find((c: { condition: string }) => c.condition === 'best-fixed-hint');
  assert.deepEqual(bfh.metrics['HR@10'], { mean: 0.75, ciLow: 0.25, ciHigh: 1, best: true });
  assert.equal(bfh.hintId, 'h_1,a');
  const oracle = j.conditions.find((c: { condition: string }) => c.condition === 'oracle');
  assert.equal(oracle.upperBound, true);
  assert.equal(oracle.metrics['HR@10'].best, false);
  assert.deepEqual(Object.keys(j.conditions.find((c: { condition: string }) => c.condition === 'popularity').metrics), ['NDCG@10']);
  assert.equal('sessions' in j, false);
});

test('unknown format is refused', () => {
  assert.throws(() => exportMetricTable(small, 'xml' as never), /unknown export format/);
});

test('schema 2: CSV, LaTeX and JSON carry Δ vs no-hint with its paired CI and p (Holm in the primary family)', () => {
  const cmp = (a: string, diff: number, family: 'primary' | 'secondary', pValue: number, pHolm?: number) => ({ a, b: 'no-hint', metric: 'NDCG@10', diff, ciLow: diff - 0.01, ciHigh: diff + 0.01, sd: 0.2, pValue, ...(pHolm !== undefined ? { pHolm } : {}), n: 4, family, permutations: 10000 });
  const v2 = {
    ...small,
    schemaVersion: 2,
    comparisons: [cmp('agent', 0.02, 'primary', 0.01, 0.03), cmp('popularity', -0.05, 'secondary', 0.2)],
    statistics: { ciMethod: 'percentile-bootstrap', bootstrap: 1000, permutations: 10000, alpha: 0.05, primaryMetric: 'NDCG@10', primary: ['agent vs no-hint'], mde: [] },
  } as unknown as ResultsFile;
  const csv = metricTableCsv(v2).split('\r\n');
  assert.match(csv[0]!, /,delta_NDCG@10_vs_no_hint,delta_ci_low,delta_ci_high,delta_p,delta_p_holm,delta_family$/);
  assert.match(csv.find((l) => l.startsWith('agent,'))!, /,0\.02,0\.01,0\.03,0\.01,0\.03,primary$/);
  assert.match(csv.find((l) => l.startsWith('popularity,'))!, /,-0\.05,-0\.060?\d*,-0\.04\d*,0\.2,,secondary$/);
  assert.match(csv.find((l) => l.startsWith('no-hint,'))!, /,,,,,,$/, 'the reference has no Δ');
  const tex = metricTableLatex(v2);
  assert.match(tex, /& \$\\Delta\$ NDCG@10 vs no hint \\\\/);
  // primary: Holm-adjusted p with a dagger; secondary: raw p, no dagger
  assert.match(tex, /\+0\.020 \{\\scriptsize \[\+0\.010, \+0\.030\], \$p\$ 0\.030\$\^\{\\dagger\}\$\}/);
  assert.match(tex, /\$-\$0\.050 \{\\scriptsize \[\$-\$0\.060, \$-\$0\.040\], \$p\$ 0\.200\}/);
  assert.match(tex, /Marginal intervals are not a test of a difference/);
  const json = JSON.parse(metricTableJson(v2));
  assert.equal(json.conditions.find((c: { condition: string }) => c.condition === 'agent').deltaVsNoHint.pHolm, 0.03);
  // a schema-1 file has no Δ column
  assert.doesNotMatch(metricTableCsv(small), /delta_/);
});
