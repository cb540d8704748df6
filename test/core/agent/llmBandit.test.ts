import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Item, Session, SessionDataset } from '../../../src/core/data/types';
import type { ChatRequest, ChatResult, LlmClient } from '../../../src/core/llm/types';
import { emptyUsage } from '../../../src/core/llm/types';
import { defaultConfig } from '../../../src/core/config/defaults';
import { LlmBandit, RewardCache } from '../../../src/core/agent/llmBandit';
import { trainAgent } from '../../../src/core/agent/train';
import { HashingEncoder } from '../../../src/core/encode';
import { silentLogger } from '../../../src/core/util/log';
import { llmSummaryText } from '../../../src/core/llm/progressText';
import type { HintKb } from '../../../src/core/kb/types';

const N_ITEMS = 60;
const items: Item[] = Array.from({ length: N_ITEMS }, (_, i) => ({ id: `i${i}`, title: `Film number ${i}`, attributes: { genres: [i % 2 ? 'Drama' : 'Comedy'] } }));
function session(k: number): Session {
  const history = [`i${k % N_ITEMS}`, `i${(k + 7) % N_ITEMS}`, `i${(k + 9) % N_ITEMS}`];
  const target = `i${(k + 20) % N_ITEMS}`;
  const candidates = [target, ...Array.from({ length: 11 }, (_, j) => `i${(k + 30 + j) % N_ITEMS}`)];
  return { id: `s${k}`, history, target, candidates };
}
function dataset(): SessionDataset {
  return {
    name: 'fake', root: '/tmp', domain: { item: 'movie', items: 'movies', verb: 'watched' },
    items: new Map(items.map((i) => [i.id, i])),
    splits: { train: Array.from({ length: 8 }, (_, k) => session(k)), validation: Array.from({ length: 4 }, (_, k) => session(100 + k)), test: [] },
    hash: 'fakehash', report: { format: 'jsonl', files: [], skippedRows: 0, skippedExamples: [], notes: [] },
  };
}

/**
 * A deterministic cached fake LLM: lists the candidates in prompt order, but with the hint
 * "genre" it moves the target to rank 1 for sessions whose id has an even number, and with
 * "worse" it leaves the target out. Like the real client it answers repeats from its cache.
 */
function fakeClient(ds: SessionDataset): LlmClient & { asked: string[] } {
  const cache = new Map<string, string>();
  const usage = emptyUsage();
  const asked: string[] = [];
  const titleToId = new Map(items.map((i) => [i.title, i.id]));
  return {
    asked,
    async chat(req: ChatRequest): Promise<ChatResult> {
      const prompt = req.messages.map((m) => m.content).join('\n');
      const hit = cache.get(prompt);
      if (hit !== undefined) {
        usage.cacheHits++;
        return { text: hit, cached: true, promptTokens: 0, completionTokens: 0, key: 'k' };
      }
      usage.calls++;
      asked.push(prompt);
      const cands = [...prompt.matchAll(/Film number \d+/g)].map((m) => m[0]).filter((t, i, a) => a.indexOf(t) === i);
      const s = [...ds.splits.train, ...ds.splits.validation].find((x) => x.candidates.every((c) => prompt.includes(ds.items.get(c)!.title)))!;
      const targetTitle = ds.items.get(s.target)!.title;
      let order = cands.filter((t) => s.candidates.includes(titleToId.get(t)!));
      // without a hint the target sits at rank 3
      order = order.filter((t) => t !== targetTitle);
      order.splice(2, 0, targetTitle);
      if (prompt.includes('Hint: genre') && Number(s.id.slice(1)) % 2 === 0) order = [targetTitle, ...order.filter((t) => t !== targetTitle)];
      if (prompt.includes('Hint: worse')) order = order.filter((t) => t !== targetTitle);
      const text = order.slice(0, 10).map((t, i) => `${i + 1}. ${t}`).join('\n');
      cache.set(prompt, text);
      return { text, cached: false, promptTokens: 1, completionTokens: 1, key: 'k' };
    },
    async embed() { throw new Error('no embeddings'); },
    usage: () => ({ ...usage }),
    describe: () => ({ baseUrl: 'fake://', model: 'fake', embeddingModel: 'none' }),
  };
}

const kb: HintKb = { version: 1, hints: [{ id: 'h-genre', text: 'genre' }, { id: 'h-worse', text: 'worse' }, { id: 'h-off', text: 'disabled one', enabled: false }] };
const actions = [{ id: 'none', text: '' }, { id: 'h-genre', text: 'genre' }, { id: 'h-worse', text: 'worse' }];

test('LLM bandit: reward = NDCG@10 with the hint - without; each pair asked once; calls within the bound', async () => {
  const ds = dataset();
  const client = fakeClient(ds);
  const config = defaultConfig();
  const sessions = ds.splits.train.slice(0, 4);
  const states = sessions.map(() => new Float32Array(4));
  const env = new LlmBandit({ dataset: ds, client, config }, sessions, states, actions, new RewardCache());
  assert.equal(env.arms, 3);
  assert.equal(env.reward(0, 0), 0, 'no hint: 0 without a call');
  assert.equal(client.asked.length, 0);
  const r0 = await env.reward(0, 1); // s0 even: target 3 -> 1
  assert.ok(Math.abs(r0 - (1 - 1 / Math.log2(4))) < 1e-12, `r0 = ${r0}`);
  const r1 = await env.reward(1, 1); // s1 odd: unchanged
  assert.equal(r1, 0);
  const r2 = await env.reward(0, 2); // target dropped
  assert.ok(Math.abs(r2 + 1 / Math.log2(4)) < 1e-12);
  // Same pairs again, concurrently: no new calls.
  const before = client.usage().calls;
  await Promise.all([env.reward(0, 1), env.reward(0, 1), env.reward(1, 1)]);
  assert.equal(client.usage().calls, before);
  const st = env.stats();
  assert.equal(st.pairs, 3);
  assert.equal(st.cacheHits, 3);
  assert.equal(st.bound, 4 * 3);
  assert.equal(st.calls, 5, 'base answers for s0, s1 + three hinted answers');
  assert.ok(st.calls <= st.bound);
  assert.throws(() => env.reward(0, 3), /action 3 out of range/);
  assert.throws(() => new LlmBandit({ dataset: ds, client, config }, sessions, states, actions.slice(1)), /must start with "none"/);
});

test('trainAgent on the LLM reward: manifest records dataset, KB and actions; calls stay within |sessions| x |actions|', async () => {
  const ds = dataset();
  const client = fakeClient(ds);
  const c = defaultConfig();
  const config = { ...c, agent: { ...c.agent, validateEvery: 2, batchSize: 16 } };
  const runDir = join(mkdtempSync(join(tmpdir(), 'llm-train-')), 'run');
  const progress: number[] = [];
  const s = await trainAgent({
    config, runDir, steps: 16 * 6, packageVersion: 't', logger: silentLogger,
    problem: { kind: 'llm', dataset: ds, client, kb, kbPath: '/kb.json', encoder: new HashingEncoder(32) },
    onProgress: (p) => progress.push(p.calls),
  });
  const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.hintIds, ['none', 'h-genre', 'h-worse']);
  assert.equal(manifest.datasetHash, 'fakehash');
  assert.equal(typeof manifest.kbFingerprint, 'string');
  assert.equal(manifest.encoder.id, 'hashing:32');
  assert.equal(manifest.llm.model, 'fake');
  assert.equal(s.callBound, (8 + 4) * 3);
  assert.ok(s.calls <= s.callBound, `${s.calls} calls > bound ${s.callBound}`);
  assert.ok(s.calls > 0 && s.cacheHits > 0);
  assert.deepEqual(progress, [...progress].sort((a, b) => a - b), 'calls only grow');
  assert.equal(s.steps, 96);
  assert.ok(s.bestValidationReward !== null);
  // A second run through the same response cache: both runs together stay within the bound.
  await trainAgent({ config, runDir: runDir + '2', steps: 16 * 2, packageVersion: 't', logger: silentLogger, problem: { kind: 'llm', dataset: ds, client, kb, kbPath: '/kb.json', encoder: new HashingEncoder(32) } });
  assert.ok(client.usage().calls <= (8 + 4) * 3, `${client.usage().calls} calls over two runs`);
});

test("trainAgent: the worker client's retries and lowest in-flight limit reach the summary (and summary.json); a clean client adds neither", async () => {
  const ds = dataset();
  const base = fakeClient(ds);
  const c = defaultConfig();
  const config = { ...c, llm: { ...c.llm, concurrency: 8 }, agent: { ...c.agent, validateEvery: 2, batchSize: 16 } };
  // The client retried 5 attempts and its limit fell to 2 during the first progress point, then recovered to 8.
  let lowered = true;
  const client: LlmClient = { ...base, usage: () => ({ ...base.usage(), retries: 5, concurrencyLimit: lowered ? 2 : 8 }) };
  const runDir = join(mkdtempSync(join(tmpdir(), 'llm-train-retries-')), 'run');
  const s = await trainAgent({ config, runDir, steps: 16 * 2, packageVersion: 't', logger: silentLogger, problem: { kind: 'llm', dataset: ds, client, kb, kbPath: '/kb.json', encoder: new HashingEncoder(32) }, onProgress: () => void (lowered = false) });
  assert.equal(s.retries, 5);
  assert.equal(s.concurrencyLimit, 2, 'the lowest limit, not the recovered one');
  assert.equal(s.failures, undefined);
  const onDisk = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
  assert.equal(onDisk.retries, 5);
  assert.equal(llmSummaryText(s), ', retries 5, in-flight limit fell to 2');
  const clean = await trainAgent({ config, runDir: runDir + '-clean', steps: 16 * 2, packageVersion: 't', logger: silentLogger, problem: { kind: 'llm', dataset: ds, client: fakeClient(ds), kb, kbPath: '/kb.json', encoder: new HashingEncoder(32) } });
  assert.equal('retries' in clean || 'concurrencyLimit' in clean, false);
  assert.equal(llmSummaryText(clean), '');
});

test('trainAgent refuses a KB without hints and a dataset without validation sessions', async () => {
  const ds = dataset();
  const client = fakeClient(ds);
  const base = { config: defaultConfig(), steps: 64, packageVersion: 't', logger: silentLogger, runDir: join(mkdtempSync(join(tmpdir(), 'llm-bad-')), 'r') };
  await assert.rejects(trainAgent({ ...base, problem: { kind: 'llm', dataset: ds, client, kb: { version: 1, hints: [] }, kbPath: '/empty.json', encoder: new HashingEncoder(8) } }), /\/empty\.json: the KB has no enabled hints/);
  const noVal = { ...ds, splits: { ...ds.splits, validation: [] } };
  await assert.rejects(trainAgent({ ...base, problem: { kind: 'llm', dataset: noVal, client, kb, kbPath: '/kb.json', encoder: new HashingEncoder(8) } }), /no validation sessions/);
});

test('a trained run folder loads as a greedy policy that agrees with the checkpoint', async () => {
  const { agentPolicyFactory } = await import('../../../src/core/evaluate/agentPolicyFactory');
  const { readAgentManifest } = await import('../../../src/core/evaluate/agentManifest');
  const { readCheckpoint, fromCheckpoint } = await import('../../../src/core/agent/checkpoint');
  const { PpoAgent } = await import('../../../src/core/agent/ppo');
  const { RunningMeanStd } = await import('../../../src/core/agent/runningStats');
  const ds = dataset();
  const client = fakeClient(ds);
  const c = defaultConfig();
  const config = { ...c, encoder: { ...c.encoder, dim: 32 }, agent: { ...c.agent, validateEvery: 2, batchSize: 16 } };
  const runDir = join(mkdtempSync(join(tmpdir(), 'llm-policy-')), 'run');
  await trainAgent({ config, runDir, steps: 64, packageVersion: 't', logger: silentLogger, problem: { kind: 'llm', dataset: ds, client, kb, kbPath: '/kb.json', encoder: new HashingEncoder(32) } });
  const manifest = await readAgentManifest(runDir);
  // The config's encoder.dim differs (default 768): the run's own encoder (hashing:32) is rebuilt.
  const pick = await agentPolicyFactory(runDir, manifest, { dataset: ds, config: { ...config, encoder: { ...config.encoder, dim: 768 } } });
  const ckpt = fromCheckpoint(await readCheckpoint(join(runDir, 'checkpoints/best.json')));
  const agent = new PpoAgent(ckpt.dim, ckpt.arms, config.agent.hidden, false, null);
  agent.params.set(ckpt.params);
  agent.obsRms = ckpt.obsRms ? RunningMeanStd.fromJSON(ckpt.obsRms) : null;
  const enc = new HashingEncoder(32);
  for (const s of ds.splits.validation) {
    const state = new Float32Array(32);
    const vecs = await enc.encodeItems(s.history.map((id) => ds.items.get(id)!));
    vecs.forEach((x) => x.forEach((y, j) => (state[j]! += y / vecs.length)));
    assert.equal(await pick(s), agent.greedy(state, 1)[0]);
  }
  const otherEncoder = { ...manifest, encoder: { kind: 'hashing', id: 'hashing:99', dim: 99 } };
  await assert.rejects(agentPolicyFactory(runDir, otherEncoder, { dataset: ds, config }), /trained on states from encoder hashing:99/);
});

test('agent.reward variants score the same two answers: HR and reciprocal-rank differences, and raw NDCG where "no hint" earns the base NDCG', async () => {
  const ds = dataset();
  const sessions = ds.splits.train.slice(0, 2);
  const states = sessions.map(() => new Float32Array(4));
  const envFor = (reward: ReturnType<typeof defaultConfig>['agent']['reward']) => {
    const c = defaultConfig();
    const client = fakeClient(ds);
    return { env: new LlmBandit({ dataset: ds, client, config: { ...c, agent: { ...c.agent, reward } } }, sessions, states, actions, new RewardCache()), client };
  };
  // Without a hint the target is at rank 3; "genre" moves it to 1 on s0 (even), "worse" drops it.
  const hr = envFor('hr-gain').env;
  assert.equal(await hr.reward(0, 1), 0, 'rank 3 -> 1 is a hit either way');
  assert.equal(await hr.reward(0, 2), -1);
  const mrr = envFor('mrr-gain').env;
  assert.ok(Math.abs((await mrr.reward(0, 1)) - (1 - 1 / 3)) < 1e-12);
  assert.ok(Math.abs((await mrr.reward(0, 2)) + 1 / 3) < 1e-12);
  assert.equal(await mrr.reward(0, 0), 0, 'a gain: no hint is 0 without a call');
  const raw = envFor('ndcg');
  assert.equal(await raw.env.reward(0, 1), 1);
  assert.equal(await raw.env.reward(1, 1), 0.5, 's1 odd: unchanged at rank 3');
  const calls = raw.client.usage().calls;
  assert.equal(await raw.env.reward(0, 0), 0.5, 'no hint earns the base answer\'s NDCG@10 = 1/log2(4)');
  assert.equal(raw.client.usage().calls, calls, 'the base answer was already asked with the hints');
  assert.equal(await envFor('ndcg-gain').env.reward(0, 2), -0.5, 'the default is unchanged: NDCG with - without');
});
