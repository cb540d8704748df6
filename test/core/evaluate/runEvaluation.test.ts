import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type Re2llmConfig } from '../../../src/core/config/defaults';
import { runEvaluation, parseConditions, AGENT_BASE } from '../../../src/core/evaluate/runEvaluation';
import { StaleAgentError, type AgentPolicy } from '../../../src/core/evaluate/agentPolicy';
import { readPredictions, readResults } from '../../../src/core/evaluate/output';
import { validateResultsFile } from '../../../src/core/evaluate/resultsSchema';
import { kbFingerprint, actionHints } from '../../../src/core/kb/actions';
import type { HintKb } from '../../../src/core/kb/types';
import type { Logger } from '../../../src/core/util/log';
import { emptyUsage, type LlmClient } from '../../../src/core/llm/types';
import type { HintedRank } from '../../../src/core/evaluate/llmRankers';
import { loadEvalFixture } from './fixtures';
import { fakeRank, type RankTable } from './fakeRank';

const ds = loadEvalFixture();
const kb: HintKb = {
  version: 1,
  hints: [
    { id: 'h-a', text: 'Think about the era.' },
    { id: 'h-off', text: 'Disabled hint.', enabled: false },
    { id: 'h-b', text: 'Think about the genre.' },
  ],
};
// test: s1 s2 s3; validation: v1 v2
const table: RankTable = {
  s1: { none: 5, 'h-a': 1, 'h-b': null },
  s2: { none: null, 'h-a': null, 'h-b': 2 },
  s3: { none: 1, 'h-a': 1, 'h-b': 3 },
  v1: { none: null, 'h-a': 2 }, // A +0.6309, B 0
  v2: { none: 1, 'h-a': 1, 'h-b': null }, // A 0, B -1
};
function config(over: (c: Re2llmConfig) => void = () => {}): Re2llmConfig {
  const c = defaultConfig();
  c.evaluation.testSample = 0;
  c.evaluation.bootstrap = 100;
  c.evaluation.conditions = ['no-hint', 'random-hint', 'best-fixed-hint', 'agent', 'oracle', 'popularity', 'sknn'];
  c.llm.concurrency = 2;
  over(c);
  return c;
}
const agentFor = (over: Partial<AgentPolicy> = {}): AgentPolicy => ({
  hintIds: actionHints(kb).map((a) => a.id),
  hintTexts: actionHints(kb).map((a) => a.text),
  datasetHash: ds.hash,
  kbFingerprint: kbFingerprint(kb),
  // s1 -> h-a, s2 -> h-b, s3 -> none
  pick: async (s) => ({ s1: 1, s2: 2, s3: 0 })[s.id] ?? 0,
  ...over,
});
const tmp = (): string => mkdtempSync(join(tmpdir(), 'eval-'));

test('all conditions on the tiny fixture: hand-checked ranks, files written and schema-valid', async () => {
  const runDir = join(tmp(), 'eval-1');
  const agentDir = tmp();
  writeFileSync(join(agentDir, 'metrics.jsonl'), '{"step":32,"meanReward":0.1,"entropy":1.2}\n{"step":64,"meanReward":0.2,"validationReward":0.15}\n{"step":9');
  const rw = fakeRank(table);
  const progress: string[] = [];
  const res = await runEvaluation({
    dataset: ds,
    config: config(),
    kb,
    kbPath: '/x/kb.json',
    agent: agentFor({ runDir: agentDir }),
    runDir,
    rankWith: rw,
    clock: { now: () => Date.UTC(2026, 0, 2) },
    onProgress: (p) => progress.push(`${p.condition}:${p.phase}:${p.done}/${p.total}`),
  });
  assert.deepEqual(res.conditions.map((c) => c.condition), ['no-hint', 'random-hint', 'best-fixed-hint', 'agent', 'oracle', 'popularity', 'sknn']);
  const byCond = Object.fromEntries(res.sessions.map((s) => [s.sessionId, s.byCondition]));
  // agent: s1 h-a rank 1, s2 h-b rank 2, s3 none rank 1
  assert.deepEqual(byCond.s1!.agent, { rank: 1, hintId: 'h-a' });
  assert.deepEqual(byCond.s2!.agent, { rank: 2, hintId: 'h-b' });
  assert.deepEqual(byCond.s3!.agent, { rank: 1, hintId: 'none' });
  // popularity and sknn as in baselines.test.ts
  assert.deepEqual([byCond.s1!.popularity!.rank, byCond.s1!.sknn!.rank, byCond.s2!.sknn!.rank], [3, 1, 2]);
  // oracle: s1 h-a (1), s2 h-b (2), s3 none (1, tie with h-a -> none)
  assert.deepEqual([byCond.s1!.oracle, byCond.s2!.oracle, byCond.s3!.oracle], [
    { rank: 1, hintId: 'h-a' },
    { rank: 2, hintId: 'h-b' },
    { rank: 1, hintId: 'none' },
  ]);
  // best-fixed on train + validation, "none" allowed (reward 0): the train sessions are all
  // misses (reward 0 for every hint), so the sums are validation's: A 0.6309 + 0 > none 0 > B -1
  // -> h-a with mean 0.6309 / (train + validation sessions); disabled hint never used
  const best = res.conditions.find((c) => c.condition === 'best-fixed-hint')!;
  assert.equal(best.hintId, 'h-a');
  const chosenOn = ds.splits.train.length + ds.splits.validation.length;
  assert.deepEqual(res.baselines?.bestFixedHint, { hintId: 'h-a', reward: 1 / Math.log2(3) / chosenOn, chosenOn: 'train+validation', sessions: chosenOn });
  // random-hint with the oracle: exact expectation over h-a and h-b per session:
  // s1 (1, absent) -> NDCG@10 0.5; s2 (absent, 2) -> 0.6309 / 2; s3 (1, 3) -> (1 + 0.5) / 2
  const random = res.conditions.find((c) => c.condition === 'random-hint')!;
  assert.equal(res.baselines?.randomHint?.estimate, 'expectation');
  assert.ok(Math.abs(random.metrics['NDCG@10']!.mean - (0.5 + 1 / Math.log2(3) / 2 + 0.75) / 3) < 1e-12);
  assert.ok(!rw.calls.some((c) => c.endsWith('/h-off')));
  // agent metrics: ranks 1, 2, 1 -> HR@1 2/3, NDCG@10 (1 + 0.6309 + 1)/3, MRR (1 + 0.5 + 1)/3
  const agent = res.conditions.find((c) => c.condition === 'agent')!;
  assert.ok(Math.abs(agent.metrics['HR@1']!.mean - 2 / 3) < 1e-12);
  assert.ok(Math.abs(agent.metrics['NDCG@10']!.mean - (2 + 1 / Math.log2(3)) / 3) < 1e-12);
  assert.ok(Math.abs(agent.metrics['MRR']!.mean - 2.5 / 3) < 1e-12);
  // no-hint: ranks 5, absent, 1 -> HR@5 2/3, HR@1 1/3
  const base = res.conditions.find((c) => c.condition === 'no-hint')!;
  assert.deepEqual([base.metrics['HR@1']!.mean, base.metrics['HR@5']!.mean], [1 / 3, 2 / 3]);
  // hint analytics: h-a picked on s1 (1 vs 5: 1 - 1/log2(6)), h-b on s2 (2 vs absent: 1/log2(3)), none on s3 (0)
  assert.deepEqual(res.hints.map((h) => [h.id, h.picks]), [['none', 1], ['h-a', 1], ['h-b', 1]]);
  assert.ok(Math.abs(res.hints[1]!.meanReward! - (1 - 1 / Math.log2(6))) < 1e-12);
  assert.ok(Math.abs(res.hints[2]!.meanReward! - 1 / Math.log2(3)) < 1e-12);
  assert.equal(res.hints[0]!.meanReward, 0);
  // comparisons: agent vs the 6 others, and the 5 others (not the agent) vs no-hint, on NDCG@10 and HR@10
  assert.equal(res.comparisons.length, 22);
  assert.ok(res.comparisons.slice(0, 12).every((c) => c.a === 'agent' && c.n === 3));
  assert.ok(res.comparisons.slice(12).every((c) => c.b === 'no-hint' && c.a !== 'agent'));
  assert.equal(res.comparisons.filter((c) => c.family === 'primary').length, 3);
  assert.equal(res.statistics?.permutations, 10000);
  // final entropy from the training curve (1.2 of ln 3 = 1.0986: above 0.95 x max -> near uniform)
  assert.deepEqual(res.agentTraining, { maxEntropy: Math.log(3), checkpoint: 'last', steps: 64, finalEntropy: 1.2, nearUniform: true });
  // training curve copied (torn last line skipped)
  assert.deepEqual(res.training, [{ step: 32, meanReward: 0.1, entropy: 1.2 }, { step: 64, meanReward: 0.2, validationReward: 0.15 }]);
  assert.equal(res.run.id, 'eval-1');
  assert.equal(res.run.createdAt, '2026-01-02T00:00:00.000Z');
  assert.deepEqual(res.run.kb, { path: '/x/kb.json', fingerprint: kbFingerprint(kb), hintIds: ['none', 'h-a', 'h-b'] });
  assert.equal(res.run.agentRun, agentDir);
  assert.ok(progress.includes('agent:rank:3/3') && progress.includes('best-fixed-hint:fit:0/0'));

  // the files: results.json equal to the return value and valid against the schema
  const onDisk = await readResults(runDir);
  assert.deepEqual(onDisk, JSON.parse(JSON.stringify(res)));
  assert.deepEqual(validateResultsFile(onDisk), []);
  const preds = await readPredictions(runDir);
  assert.equal(preds.length, 7 * 3);
  const p = preds.find((r) => r.condition === 'agent' && r.sessionId === 's2')!;
  assert.equal(p.hintId, 'h-b');
  assert.equal(p.targetRank, 2);
  assert.match(p.answer!, /^1\. item /);
  assert.equal(p.ranking[1], '6');
  assert.ok(preds.find((r) => r.condition === 'oracle')!.tried);
});

test('a stale agent is refused, naming what differs', async () => {
  const edited: HintKb = { version: 1, hints: [{ id: 'h-a', text: 'Think about the decade.' }, { id: 'h-new', text: 'Something new.' }] };
  const runDir = join(tmp(), 'stale');
  await assert.rejects(
    runEvaluation({ dataset: ds, config: config(), kb: edited, agent: agentFor({ datasetHash: 'abc123', runDir: '/runs/old' }), runDir, rankWith: fakeRank(table) }),
    (err: unknown) => {
      assert.ok(err instanceof StaleAgentError);
      const m = (err as Error).message;
      assert.match(m, /^\/runs\/old\/manifest\.json: the agent was trained on other inputs/);
      assert.match(m, new RegExp(`dataset hash: trained on abc123, evaluating ${ds.hash}`));
      assert.match(m, new RegExp(`KB fingerprint: trained on ${kbFingerprint(kb)}, current ${kbFingerprint(edited)}`));
      assert.match(m, /hints added or enabled: h-new/);
      assert.match(m, /hints removed or disabled: h-b/);
      assert.match(m, /hints edited: h-a/);
      return true;
    },
  );
  // only a text edit, no hintTexts recorded: still refused, and says why
  const textOnly: HintKb = { version: 1, hints: [{ id: 'h-a', text: 'Changed.' }, { id: 'h-b', text: 'Think about the genre.' }] };
  await assert.rejects(
    runEvaluation({ dataset: ds, config: config(), kb: textOnly, agent: agentFor({ hintTexts: undefined }), runDir, rankWith: fakeRank(table) }),
    /same hint ids in the same order, so a hint text was edited/,
  );
  // nothing written
  assert.throws(() => readFileSync(join(runDir, 'results.json')));
});

test('agent without no-hint: base answers fetched for the analytics and charged to the agent', async () => {
  const runDir = join(tmp(), 'agent-only');
  const rw = fakeRank(table);
  const res = await runEvaluation({ dataset: ds, config: config(), kb, agent: agentFor(), runDir, rankWith: rw, conditions: ['agent'] });
  assert.deepEqual(res.conditions.map((c) => c.condition), ['agent']);
  assert.ok(res.hints[1]!.meanReward !== null);
  assert.equal(res.comparisons.length, 0);
  const preds = await readPredictions(runDir);
  assert.deepEqual([...new Set(preds.map((p) => p.condition))], ['agent', AGENT_BASE]);
  assert.deepEqual(validateResultsFile(res), []);
});

test('skips conditions it cannot run, with a warning; refuses unknown names and empty work', async () => {
  const warnings: string[] = [];
  const logger: Logger = { log: (level, m) => level === 'warn' && warnings.push(m) };
  const res = await runEvaluation({ dataset: ds, config: config(), runDir: join(tmp(), 'r'), rankWith: fakeRank(table), logger });
  assert.deepEqual(res.conditions.map((c) => c.condition), ['no-hint', 'popularity', 'sknn']);
  assert.equal(warnings.length, 4);
  assert.ok(warnings.some((w) => /skipping agent: no trained agent/.test(w)));
  assert.ok(warnings.some((w) => /skipping oracle: no hint KB/.test(w)));
  // no agent: each condition against no-hint
  assert.deepEqual([...new Set(res.comparisons.map((c) => `${c.a}-${c.b}`))], ['popularity-no-hint', 'sknn-no-hint']);
  assert.throws(() => parseConditions(['sknn', 'gru4rec']), /unknown condition "gru4rec" \(known: no-hint/);
  await assert.rejects(
    runEvaluation({ dataset: ds, config: config(), runDir: join(tmp(), 'r2'), conditions: ['agent'], rankWith: fakeRank(table) }),
    /nothing to evaluate/,
  );
  await assert.rejects(runEvaluation({ dataset: ds, config: config(), runDir: join(tmp(), 'r3'), conditions: ['no-hint'] }), /need an LLM client/);
});

test('baselines alone need no LLM; the test sample is seeded and a subset', async () => {
  const res = await runEvaluation({ dataset: ds, config: config((c) => (c.evaluation.testSample = 2)), runDir: join(tmp(), 'b'), conditions: ['sknn', 'popularity'] });
  assert.deepEqual(res.conditions.map((c) => [c.condition, c.n]), [['popularity', 2], ['sknn', 2]]);
  assert.deepEqual(res.conditions[0]!.usage, { calls: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, cost: 0 });
  const again = await runEvaluation({ dataset: ds, config: config((c) => (c.evaluation.testSample = 2)), runDir: join(tmp(), 'b'), conditions: ['sknn', 'popularity'] });
  assert.deepEqual(again.sessions.map((s) => s.sessionId), res.sessions.map((s) => s.sessionId));
  assert.deepEqual(again.conditions, res.conditions);
});

test('a failed call stops the evaluation instead of scoring a miss; cancellation stops it too', async () => {
  const failing = async () => {
    throw new Error('HTTP 500 after 5 retries');
  };
  await assert.rejects(runEvaluation({ dataset: ds, config: config(), runDir: join(tmp(), 'f'), conditions: ['no-hint'], rankWith: failing }), /HTTP 500/);
  await assert.rejects(
    runEvaluation({ dataset: ds, config: config(), runDir: join(tmp(), 'c'), conditions: ['sknn'], signal: { aborted: true } }),
    /cancelled/,
  );
});

test('schema rejects a malformed results file', () => {
  const dir = tmp();
  mkdirSync(dir, { recursive: true });
  assert.ok(validateResultsFile({ schemaVersion: 1 }).length > 0);
  const bad = { schemaVersion: 1, run: { id: 'x', createdAt: 't', dataset: { name: 'd', hash: 'h' }, llm: { baseUrl: '', model: 'm' }, packageVersion: '0', config: {} }, ks: [10], conditions: [{ condition: 'sknn', n: 1, metrics: { 'P@5': { mean: 1, ciLow: 1, ciHigh: 1 } }, rates: { invalidOutput: 2, hallucination: 0, parseFailure: 0, duplicates: 0 }, usage: { calls: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, cost: 0 } }], comparisons: [], hints: [], sessions: [] };
  const errors = validateResultsFile(bad);
  assert.ok(errors.some((e) => e.startsWith('/conditions/0/metrics')), errors.join('\n'));
  assert.ok(errors.some((e) => e.startsWith('/conditions/0/rates/invalidOutput')), errors.join('\n'));
});

test('ranks as many sessions at once as the client is wide: a session whose request waits to retry frees its place for the next', async () => {
  const started: string[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let backingOff = 0;
  const listeners: (() => void)[] = [];
  const client: LlmClient = {
    chat: async () => assert.fail('ranked through rankWith'),
    embed: async () => assert.fail('no embeddings'),
    usage: () => ({ ...emptyUsage(), backingOff }),
    describe: () => ({ baseUrl: 'http://127.0.0.1:1/v1', model: 'fake', embeddingModel: 'fake' }),
    onBackoff: (l) => (listeners.push(l), () => undefined),
  };
  const inner = fakeRank(table);
  const rankWith: HintedRank = async (s, h, signal) => {
    started.push(s.id);
    if (s.id === 's1') {
      // Its request got a 429 and waits to retry: the client's width grows by one meanwhile.
      backingOff = 1;
      for (const l of listeners) l();
      await gate;
      backingOff = 0;
    }
    return inner(s, h, signal);
  };
  const run = runEvaluation({ dataset: ds, config: config((c) => (c.llm.concurrency = 1)), runDir: join(tmp(), 'w'), rankWith, client, conditions: ['no-hint'] });
  for (let waited = 0; !started.includes('s2') && waited < 20_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(started.slice(0, 2), ['s1', 's2'], 'the second session started while the first waited to retry');
  open();
  const res = await run;
  assert.equal(res.conditions[0]!.n, 3);
});
