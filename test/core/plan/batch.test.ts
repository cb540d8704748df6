/**
 * Plan, then fill: the plan's keys are the client's keys; the batch executor against the
 * simulator's Batch API (failed lines, an expired batch with partial output) ends with the same
 * cache content as the online executor; a process stopped while a batch is pending resumes it
 * without a second creation; export/import round-trips a plan; budgets refuse a run over its cap.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../../src/core/config/resolve';
import { loadDataset } from '../../../src/core/data/load';
import type { SessionDataset } from '../../../src/core/data/types';
import { startSimServer, type SimServer } from '../../../src/core/sim';
import { formatKb, type HintKb } from '../../../src/core/kb';
import { ResponseCache } from '../../../src/core/llm/cache';
import { createLlmClient } from '../../../src/core/llm/client';
import { onlineExecutor, type FillRequest } from '../../../src/core/llm/executor';
import { batchExecutor, readBatches, BATCHES_LOCK_FILE } from '../../../src/core/llm/batchExecutor';
import { batchInputLine, importOutputText, splitBatchLines } from '../../../src/core/llm/batchLines';
import { BATCH_PRICE_FACTOR, planTraining, withoutCached } from '../../../src/core/plan';
import { runExperiment } from '../../../src/core/run/runExperiment';
import { BudgetExceededError } from '../../../src/core/run/stagePlans';
import { silentLogger } from '../../../src/core/util/log';
import { createEncoder, datasetFamilies } from '../../../src/core/encode';
import { encodeSessions, ItemVectorCache } from '../../../src/core/encode/session';
import { inProcessTrainer } from '../../helpers/inProcessTrainer';
import { CHILD_KB, childConfig } from '../../helpers/batchFillChild';

const DATA = join(__dirname, '../../fixtures/eval-sim');
const kb: HintKb = {
  version: 1,
  hints: [
    { id: 'h-genre', text: 'Pay attention to the genres the user watches most.' },
    { id: 'h-era', text: 'Consider the release era of the movies the user watched.' },
  ],
};

let dataset: SessionDataset;
const sims: SimServer[] = [];
before(async () => {
  dataset = await loadDataset(resolveConfig({ layers: [{ source: 't', values: { 'dataset.path': DATA } }] }).config);
});
after(async () => {
  for (const s of sims) await s.close();
});

async function sim(batch: Parameters<typeof startSimServer>[0]['batch'] = {}): Promise<SimServer> {
  const s = await startSimServer({ dataset, seed: 1, batch });
  sims.push(s);
  return s;
}

function configFor(url: string, extra: Record<string, unknown> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'batch-'));
  return resolveConfig({
    layers: [{
      source: 'test',
      values: { 'dataset.path': DATA, 'llm.baseUrl': url, 'llm.model': 'sim', 'llm.endpointId': 'sim://batch-test', 'llm.cacheDir': join(root, 'cache'), 'output.runsDir': join(root, 'runs'), ...extra },
    }],
  });
}

/** key -> answer, for comparing two caches over a plan. */
async function contents(cache: ResponseCache, keys: string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = (await cache.get(k))?.output;
  return out;
}

async function onlineReference(s: SimServer) {
  const { config } = configFor(s.url);
  const plan = planTraining({ dataset, config }, kb);
  const cache = await ResponseCache.open(config.llm.cacheDir);
  const client = createLlmClient(config, { cache });
  const report = await onlineExecutor(client, 4).fill(plan.requests);
  assert.equal(report.failed, 0);
  return { plan, cache, keys: plan.requests.map((r) => r.cacheKey) };
}

test('the plan names the keys the client looks up: after an online fill nothing is left to plan', async () => {
  const s = await sim();
  const { plan, cache } = await onlineReference(s);
  assert.equal(plan.requests.length, (Math.min(dataset.splits.train.length, 500) + dataset.splits.validation.length) * 3);
  assert.equal((await withoutCached(plan, cache)).requests.length, 0);
});

for (const retry of ['online', 'batch'] as const) {
  test(`batch with failed lines, malformed answers and an expired half-done batch ends with the online cache (retry ${retry})`, async () => {
    const ref = await onlineReference(await sim());
    const s = await sim({ failLineRate: 0.3, expireBatches: 1, malformedLineRate: 0.2 });
    const { config } = configFor(s.url, { 'llm.batchRetryFailed': retry });
    const cache = await ResponseCache.open(config.llm.cacheDir);
    const stateDir = mkdtempSync(join(tmpdir(), 'batch-state-'));
    const exec = batchExecutor({ config, cache, stateDir, online: onlineExecutor(createLlmClient(config, { cache }), 4), firstPollMs: 1, maxRequestsPerFile: 40 });
    const report = await exec.fill(ref.plan.requests);
    assert.equal(report.failed, 0);
    assert.deepEqual(await contents(cache, ref.keys), await contents(ref.cache, ref.keys));
    const state = await readBatches(stateDir);
    assert.ok(state.batches.some((b) => b.status === 'expired'), 'one batch expired');
    assert.ok(state.batches.length >= (retry === 'batch' ? 3 : 2), 'split at 40 lines (and, retrying in batch, resubmitted)');
    assert.ok(state.batches.every((b) => b.imported));
    if (retry === 'online') assert.ok((s.stats().byRoute['POST /v1/chat/completions'] ?? 0) > 0, 'failed lines asked online');
    else assert.equal(s.stats().byRoute['POST /v1/chat/completions'] ?? 0, 0);
  });
}

/**
 * A first "process" whose batch is pending (the simulator takes 300 ms a batch), stopped at its
 * first wait for it: batches.json holds the batch, not imported.
 */
async function stoppedWhilePending() {
  const ref = await onlineReference(await sim());
  const s = await sim({ processingDelayMs: 300 });
  const { config } = configFor(s.url);
  const stateDir = mkdtempSync(join(tmpdir(), 'batch-state-'));
  const first = await ResponseCache.open(config.llm.cacheDir);
  const stop = new AbortController();
  const stopped = batchExecutor({
    config, cache: first, stateDir, online: onlineExecutor(createLlmClient(config, { cache: first }), 4),
    sleep: async () => {
      stop.abort();
      throw new Error('killed');
    },
  });
  await assert.rejects(stopped.fill(ref.plan.requests, { signal: stop.signal }));
  return { ref, s, config, stateDir };
}

test('a process stopped while its batch is pending resumes it without creating another', async () => {
  const { ref, s, config, stateDir } = await stoppedWhilePending();
  assert.equal(s.stats().byRoute['POST /v1/batches'], 1);
  assert.equal((await readBatches(stateDir)).batches[0]!.imported, false);
  // A new process, a fresh cache object on the same folder.
  const cache = await ResponseCache.open(config.llm.cacheDir);
  const report = await batchExecutor({ config, cache, stateDir, online: onlineExecutor(createLlmClient(config, { cache }), 4), firstPollMs: 20 }).fill(ref.plan.requests);
  assert.equal(report.batchesResumed, 1);
  assert.equal(report.batchesCreated, 0);
  assert.equal(s.stats().byRoute['POST /v1/batches'], 1, 'no second batch paid for');
  assert.deepEqual(await contents(cache, ref.keys), await contents(ref.cache, ref.keys));
});

test('a pending batch the endpoint no longer knows (a restarted simulator, another key): recorded as lost, its requests asked again, the same answers', async () => {
  const { ref, config, stateDir } = await stoppedWhilePending();
  const pendingId = (await readBatches(stateDir)).batches[0]!.id;
  // The endpoint restarts: the same identity in the cache keys (llm.endpointId), a new simulator.
  const again = await sim();
  const moved = { ...config, llm: { ...config.llm, baseUrl: again.url } };
  const cache = await ResponseCache.open(config.llm.cacheDir);
  const warnings: string[] = [];
  const logger = { log: (level: string, text: string) => void (level === 'warn' && warnings.push(text)) };
  const report = await batchExecutor({ config: moved, cache, stateDir, logger, online: onlineExecutor(createLlmClient(moved, { cache }), 4), firstPollMs: 20 }).fill(ref.plan.requests);
  // Before, the 404 failed this fill and every later one (the record stayed pending).
  assert.equal(report.failed, 0);
  assert.equal(report.batchesCreated, 1);
  const records = (await readBatches(stateDir)).batches;
  assert.deepEqual(records.find((b) => b.id === pendingId)?.status, 'lost');
  assert.ok(warnings.some((w) => w.includes(pendingId) && w.includes('404')), warnings.join('\n'));
  assert.deepEqual(await contents(cache, ref.keys), await contents(ref.cache, ref.keys));
});

test('export and import round-trip a plan (an offline runner answers the exported lines)', async () => {
  const ref = await onlineReference(await sim());
  const s = await sim();
  const { config } = configFor(s.url);
  const lines = ref.plan.requests.map((r) => batchInputLine(config.llm, r));
  assert.equal(splitBatchLines(lines, 10).length, Math.ceil(lines.length / 10));
  // What vLLM's run-batch does: each line's body to the chat route, one output line per input.
  const out: string[] = [];
  for (const line of lines) {
    const l = JSON.parse(line) as { custom_id: string; body: unknown };
    const res = await fetch(`${s.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(l.body) });
    out.push(JSON.stringify({ id: 'x', custom_id: l.custom_id, response: { status_code: res.status, body: await res.json() }, error: null }));
  }
  const planned = { requests: new Map<string, FillRequest>(ref.plan.requests.map((r) => [r.cacheKey, r])) };
  const cache = await ResponseCache.open(config.llm.cacheDir);
  const rep = await importOutputText(out.join('\n'), 'out.jsonl', planned, cache);
  assert.equal(rep.imported, lines.length);
  assert.deepEqual(await contents(cache, ref.keys), await contents(ref.cache, ref.keys));
  // A line answering an unplanned request is refused, naming file and line.
  const stray = JSON.stringify({ custom_id: 'f'.repeat(64), response: { status_code: 200, body: { choices: [{ message: { content: 'x' } }] } } });
  await assert.rejects(importOutputText(`${out[0]}\n${stray}\n`, 'out.jsonl', planned, cache), /out\.jsonl:2 \(custom_id\)/);
});

test('a run whose plan passes --max-calls is refused before it spends anything', async () => {
  const s = await sim();
  const resolved = configFor(s.url, { 'reflection.targetHints': 2, 'evaluation.conditions': ['no-hint'], 'agent.steps': 16 });
  const kbPath = join(resolved.config.output.runsDir, '..', 'kb.hints.json');
  writeFileSync(kbPath, formatKb(kb));
  resolved.config.output.kbPath = kbPath;
  const before = s.stats().byRoute['POST /v1/chat/completions'] ?? 0;
  const estimates: string[] = [];
  await assert.rejects(
    runExperiment({ resolved, packageVersion: 't', logger: silentLogger, trainer: inProcessTrainer(), budget: { maxCalls: 10 }, onEstimate: (e) => estimates.push(`${e.stage} ${e.requests}`) }),
    (err: Error) => err instanceof BudgetExceededError && /^train: the plan needs \d+ LLM calls, more than --max-calls 10/.test(err.message),
  );
  assert.equal(s.stats().byRoute['POST /v1/chat/completions'] ?? 0, before, 'no call made');
  assert.match(estimates[0]!, /^train \d+$/);
});

test('a process SIGKILLed while its batch is pending: the next one resumes that batch, no second creation', async () => {
  const s = await sim({ processingDelayMs: 1500 });
  const root = mkdtempSync(join(tmpdir(), 'batch-kill-'));
  const cacheDir = join(root, 'cache');
  const stateDir = join(root, 'state');
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../helpers/batchFillChild.ts'), DATA, s.url, cacheDir, stateDir], { stdio: 'ignore' });
  try {
    // Kill it as soon as its batch is recorded (it is then polling a batch that is not done).
    for (let i = 0; i < 600 && !existsSync(join(stateDir, 'batches.json')); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(existsSync(join(stateDir, 'batches.json')), 'the child recorded its batch');
  } finally {
    child.kill('SIGKILL');
  }
  await new Promise((r) => child.once('exit', r));
  assert.equal(s.stats().byRoute['POST /v1/batches'], 1);
  const config = childConfig(DATA, s.url, cacheDir);
  const cache = await ResponseCache.open(cacheDir);
  const plan = planTraining({ dataset, config }, CHILD_KB);
  const report = await batchExecutor({ config, cache, stateDir, online: onlineExecutor(createLlmClient(config, { cache }), 4), firstPollMs: 50 }).fill(plan.requests);
  assert.equal(report.batchesResumed, 1);
  assert.equal(report.batchesCreated, 0);
  assert.equal(report.failed, 0);
  assert.equal(s.stats().byRoute['POST /v1/batches'], 1, 'no second batch paid for');
  assert.equal((await withoutCached(plan, cache)).requests.length, 0);
});

/** Runs batchFillChild.ts; resolves with its exit code, stdout and stderr. */
function fillChild(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../helpers/batchFillChild.ts'), ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('two processes fill the same folder at once: the batch is submitted once; the second waits for the lock and finds the answers in the cache', async () => {
  const s = await sim({ processingDelayMs: 800 });
  const root = mkdtempSync(join(tmpdir(), 'batch-two-'));
  const args = [DATA, s.url, join(root, 'cache'), join(root, 'state'), '60000'];
  const [a, b] = await Promise.all([fillChild(args), fillChild(args)]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(s.stats().byRoute['POST /v1/batches'], 1, 'one batch paid for');
  const reports = [JSON.parse(a.stdout), JSON.parse(b.stdout)] as { batchesCreated: number; batchesResumed: number; failed: number; requested: number; filled: number }[];
  assert.deepEqual(reports.map((r) => r.batchesCreated).sort(), [0, 1]);
  for (const r of reports) assert.equal(r.filled, r.requested);
  assert.equal((await readBatches(join(root, 'state'))).batches.length, 1);
  assert.ok(!existsSync(join(root, 'state', BATCHES_LOCK_FILE)), 'the lock is released');
});

test('a filler that finds batches.lock held by a live process fails naming it and submits nothing; a lock left by a dead process is taken over', async () => {
  const s = await sim();
  const root = mkdtempSync(join(tmpdir(), 'batch-busy-'));
  const stateDir = join(root, 'state');
  const args = [DATA, s.url, join(root, 'cache'), stateDir, '100'];
  const lockFile = join(stateDir, BATCHES_LOCK_FILE);
  mkdirSync(stateDir, { recursive: true });
  // This test process is the live holder.
  writeFileSync(lockFile, JSON.stringify({ pid: process.pid, host: hostname(), stage: 'batch fill', startedAt: new Date().toISOString() }));
  const busy = await fillChild(args);
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, new RegExp(`batches\\.lock: the batches of this folder are being handled by pid ${process.pid} on ${hostname()} \\(batch fill\\)`));
  assert.equal(s.stats().byRoute['POST /v1/batches'], undefined, 'nothing submitted');
  // The holder is gone (a SIGKILL leaves its lock behind): the next filler takes it over.
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  writeFileSync(lockFile, JSON.stringify({ pid: dead, host: hostname(), stage: 'batch fill', startedAt: new Date().toISOString() }));
  const next = await fillChild(args);
  assert.equal(next.code, 0, next.stderr);
  assert.equal(s.stats().byRoute['POST /v1/batches'], 1);
  assert.ok(!existsSync(lockFile));
});

test('two fills started at the same instant (one process, two executors on one folder): one batch, the same cache as online', async () => {
  const ref = await onlineReference(await sim());
  const s = await sim({ processingDelayMs: 300 });
  const { config } = configFor(s.url);
  const stateDir = mkdtempSync(join(tmpdir(), 'batch-same-'));
  const exec = async () => {
    const cache = await ResponseCache.open(config.llm.cacheDir);
    return batchExecutor({ config, cache, stateDir, online: onlineExecutor(createLlmClient(config, { cache }), 4), firstPollMs: 20, lockWaitMs: 30_000, lock: { pollMs: 20 } });
  };
  const [x, y] = await Promise.all([exec(), exec()]);
  const reports = await Promise.all([x.fill(ref.plan.requests), y.fill(ref.plan.requests)]);
  assert.equal(s.stats().byRoute['POST /v1/batches'], 1, 'one batch paid for');
  assert.deepEqual(reports.map((r) => r.batchesCreated).sort(), [0, 1]);
  const cache = await ResponseCache.open(config.llm.cacheDir);
  assert.deepEqual(await contents(cache, ref.keys), await contents(ref.cache, ref.keys));
});

test('embeddings through the Batch API: the openai encoder\'s plan, filled by batch (failed, malformed and expired lines), leaves the online vectors in the cache, and encoding then makes no call', async () => {
  const openai = { 'encoder.kind': 'openai' };
  // Online reference: the client's own embed() on a fault-free simulator.
  const clean = await sim();
  const ref = configFor(clean.url, openai).config;
  const plan = planTraining({ dataset, config: ref }, kb);
  assert.ok(plan.embeddings && plan.embeddings.length > 10, `${plan.embeddings?.length} planned embeddings`);
  assert.deepEqual(plan.notes, [], 'nothing left to ask online');
  const refClient = createLlmClient(ref, { cache: await ResponseCache.open(ref.llm.cacheDir) });
  const online = await refClient.embed(plan.embeddings.map((e) => e.input.input));

  for (const retry of ['online', 'batch'] as const) {
    const s = await sim({ failLineRate: 0.2, malformedLineRate: 0.1, expireBatches: 1 });
    const { config } = configFor(s.url, { ...openai, 'llm.batchRetryFailed': retry });
    const cache = await ResponseCache.open(config.llm.cacheDir);
    const stateDir = mkdtempSync(join(tmpdir(), 'batch-emb-'));
    const embPlan = planTraining({ dataset, config }, kb).embeddings!;
    assert.deepEqual(embPlan.map((e) => e.cacheKey), plan.embeddings.map((e) => e.cacheKey), 'the same keys for the same endpoint id');
    const report = await batchExecutor({ config, cache, stateDir, online: onlineExecutor(createLlmClient(config, { cache }), 4), firstPollMs: 5 }).fillEmbeddings!(embPlan);
    assert.equal(report.failed, 0, retry);
    assert.equal(report.filled, embPlan.length);
    if (retry === 'batch') assert.ok(report.batchesCreated! >= 2, `the expired batch's missing lines went into a follow-up batch (${report.batchesCreated})`);
    else assert.ok((s.stats().byRoute['POST /v1/embeddings'] ?? 0) > 0, 'the failed lines were retried online');
    const state = await readBatches(stateDir);
    assert.ok(state.batches.every((b) => b.endpoint === 'embeddings'));
    if (retry === 'batch') assert.equal(s.stats().byRoute['POST /v1/embeddings'], undefined, 'batch retries stay in batches');
    const vectors = [];
    for (const e of embPlan) vectors.push(((await cache.get(e.cacheKey))?.output as { vector: number[] } | undefined)?.vector);
    assert.deepEqual(vectors, online, `${retry}: batch-filled vectors equal the online ones`);
    // The stage then encodes from the cache alone: the encoder's first probe and every session.
    const client = createLlmClient(config, { cache });
    const encoder = await createEncoder(config, { client, families: datasetFamilies(dataset), probeItem: dataset.items.values().next().value! });
    await encodeSessions(encoder, dataset, [...dataset.splits.train.slice(0, config.dataset.maxTrainSessions), ...dataset.splits.validation], new ItemVectorCache());
    assert.equal(client.usage().calls, 0, 'every embedding the encoder needs was planned');
    assert.ok(client.usage().cacheHits >= embPlan.length);
  }
});

/** The re2llm CLI in a child process (the in-process simulator is not called meanwhile: export and import make no request). */
function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const root = join(__dirname, '../../..');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What vLLM's run-batch does with an exported file: each line's body to the route its url names, one output line per input. */
async function runBatchOffline(simUrl: string, input: string): Promise<string> {
  const out: string[] = [];
  for (const line of input.split('\n').filter((l) => l.trim())) {
    const l = JSON.parse(line) as { custom_id: string; url: string; body: unknown };
    const res = await fetch(`${simUrl}${l.url.replace(/^\/v1/, '')}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(l.body) });
    out.push(JSON.stringify({ id: 'x', custom_id: l.custom_id, response: { status_code: res.status, body: await res.json() }, error: null }));
  }
  return out.join('\n') + '\n';
}

test('batch export and import with embeddings (encoder.kind=openai): the chat answers of the online executor, the embeddings it computes, recorded as a batch fill records them', async () => {
  const s = await sim();
  const root = mkdtempSync(join(tmpdir(), 'batch-export-emb-'));
  const kbPath = join(root, 'kb.hints.json');
  writeFileSync(kbPath, formatKb(kb));
  // The same endpoint (the simulator's URL is the cache identity here) for every cache below.
  const values = (cacheDir: string) => ({ 'dataset.path': DATA, 'llm.baseUrl': s.url, 'llm.model': 'sim', 'encoder.kind': 'openai', 'llm.cacheDir': cacheDir, 'output.runsDir': join(root, 'runs'), 'output.kbPath': kbPath });
  const configAt = (cacheDir: string) => resolveConfig({ layers: [{ source: 'test', values: values(cacheDir) }] }).config;
  const plan = planTraining({ dataset, config: configAt(join(root, 'online')) }, kb);
  assert.ok(plan.embeddings && plan.embeddings.length > 10);
  const chatKeys = plan.requests.map((r) => r.cacheKey);
  const embKeys = plan.embeddings.map((e) => e.cacheKey);

  // Online reference: the online executor, chat requests and embeddings.
  const online = await ResponseCache.open(join(root, 'online'));
  const onlineExec = onlineExecutor(createLlmClient(configAt(join(root, 'online')), { cache: online }), 4);
  assert.equal((await onlineExec.fill(plan.requests)).failed, 0);
  assert.equal((await onlineExec.fillEmbeddings!(plan.embeddings)).failed, 0);
  // The batch executor's records of the same embeddings (one text per line, as the export writes).
  const batchCache = await ResponseCache.open(join(root, 'batch'));
  const batchConfig = configAt(join(root, 'batch'));
  await batchExecutor({ config: batchConfig, cache: batchCache, stateDir: join(root, 'state'), online: onlineExecutor(createLlmClient(batchConfig, { cache: batchCache }), 4), firstPollMs: 1 }).fillEmbeddings!(plan.embeddings);

  // Export: chat lines to -o, embeddings lines beside them.
  const sets = Object.entries(values(join(root, 'imported'))).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const exp = cli(['batch', 'export', 'train', '-o', join(root, 'requests.jsonl'), '--json', ...sets]);
  assert.equal(exp.code, 0, exp.stderr);
  const report = JSON.parse(exp.stdout) as { file: string; requests: number; embeddingsFile: string; embeddings: number };
  assert.deepEqual([report.requests, report.embeddings, report.embeddingsFile], [plan.requests.length, plan.embeddings.length, join(root, 'requests.embeddings.jsonl')]);
  const embLines = readFileSync(report.embeddingsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { custom_id: string; url: string; body: { model: string; input: string } });
  assert.deepEqual(embLines.map((l) => l.custom_id), embKeys, 'one line per planned embedding, custom_id = its cache key');
  assert.ok(embLines.every((l) => l.url === '/v1/embeddings' && typeof l.body.input === 'string'));
  assert.ok(readFileSync(report.file, 'utf8').split('\n').filter(Boolean).every((l) => (JSON.parse(l) as { url: string }).url === '/v1/chat/completions'));

  // An offline runner answers both files; import reads each.
  writeFileSync(join(root, 'out.jsonl'), await runBatchOffline(s.url, readFileSync(report.file, 'utf8')));
  writeFileSync(join(root, 'emb-out.jsonl'), await runBatchOffline(s.url, readFileSync(report.embeddingsFile, 'utf8')));
  for (const [file, imported, embeddings] of [['out.jsonl', plan.requests.length, 0], ['emb-out.jsonl', plan.embeddings.length, plan.embeddings.length]] as const) {
    const imp = cli(['batch', 'import', join(root, file), 'train', '--json', ...sets]);
    assert.equal(imp.code, 0, imp.stderr);
    assert.deepEqual(JSON.parse(imp.stdout), { lines: imported, imported, embeddings, failed: 0, cached: 0 });
  }
  // Imported again: every line is for a cached answer, skipped and not written over.
  const again = cli(['batch', 'import', join(root, 'emb-out.jsonl'), 'train', '--json', ...sets]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout), { lines: plan.embeddings.length, imported: 0, embeddings: 0, failed: 0, cached: plan.embeddings.length });

  const cache = await ResponseCache.open(join(root, 'imported'));
  assert.deepEqual(await contents(cache, chatKeys), await contents(online, chatKeys), 'the chat answers are the online ones');
  const vectors = async (c: ResponseCache) => Promise.all(embKeys.map(async (k) => ((await c.get(k))?.output as { vector: number[] } | undefined)?.vector));
  assert.deepEqual(await vectors(cache), await vectors(online), 'the vectors are the online ones');
  // The whole record is the batch executor's (an online request of many texts shares its token count out, a line has its own).
  assert.deepEqual(await contents(cache, embKeys), await contents(batchCache, embKeys));
  assert.equal((await withoutCached(plan, cache)).embeddings!.length, 0, 'nothing left to plan');

  // A line answering no planned embedding is refused, naming the file and line; nothing is written.
  const stray = JSON.stringify({ custom_id: 'e'.repeat(64), response: { status_code: 200, body: { data: [{ embedding: [0.1, 0.2] }] } } });
  const first = readFileSync(join(root, 'emb-out.jsonl'), 'utf8').split('\n')[0]!;
  const empty = await ResponseCache.open(join(root, 'refused'));
  const planned = { requests: new Map<string, FillRequest>(), embeddings: new Map(plan.embeddings.map((e) => [e.cacheKey, e])) };
  await assert.rejects(importOutputText(`${first}\n${stray}\n`, 'emb-out.jsonl', planned, empty), /emb-out\.jsonl:2 \(custom_id\): e{16}… answers no request or embedding of the plan/);
  assert.equal(await empty.get(embKeys[0]!), undefined, 'validated whole before anything is written');
  // The CLI says the same.
  writeFileSync(join(root, 'stray.jsonl'), `${first}\n${stray}\n`);
  const bad = cli(['batch', 'import', join(root, 'stray.jsonl'), 'train', ...sets]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /stray\.jsonl:2 \(custom_id\)/);
});

test('llm.executor=batch end to end: the hints best-fixed-hint and the agent choose go in one more batch each; no answer is asked online and the results are the online run\'s', async () => {
  const s = await sim({ processingDelayMs: 5 });
  const settings = {
    'reflection.targetHints': 2, 'evaluation.conditions': ['no-hint', 'best-fixed-hint', 'agent'], 'evaluation.bootstrap': 50, 'evaluation.permutations': 50, 'agent.steps': 64,
    'llm.inputCostPerMTok': 0.15, 'llm.outputCostPerMTok': 0.6,
  };
  const run = async (extra: Record<string, unknown>, batched: boolean) => {
    const resolved = configFor(s.url, { ...settings, ...extra });
    const kbPath = join(resolved.config.output.runsDir, '..', 'kb.hints.json');
    writeFileSync(kbPath, formatKb(kb));
    resolved.config.output.kbPath = kbPath;
    const { config } = resolved;
    const plans: string[] = [];
    const fill = batched
      ? async (plan: { stage: string; requests: FillRequest[] }) => {
          plans.push(`${plan.stage} ${plan.requests.length}`);
          const cache = await ResponseCache.open(config.llm.cacheDir);
          const exec = batchExecutor({ config, cache, stateDir: config.output.runsDir, online: onlineExecutor(createLlmClient(config, { cache }), 4), firstPollMs: 10 });
          await exec.fill(plan.requests);
        }
      : undefined;
    const before = s.stats().byRoute['POST /v1/chat/completions'] ?? 0;
    const summary = await runExperiment({ resolved, packageVersion: 't', logger: silentLogger, trainer: inProcessTrainer(), ...(fill ? { fill } : {}) });
    return { summary, online: (s.stats().byRoute['POST /v1/chat/completions'] ?? 0) - before, plans };
  };
  const online = await run({}, false);
  const batch = await run({ 'llm.executor': 'batch', 'llm.batchPollMs': 10 }, true);
  assert.equal(batch.online, 0, `no request sent online (plans: ${batch.plans.join(', ')})`);
  assert.ok(online.online > 0);
  const evalPlans = batch.plans.filter((p) => p.startsWith('evaluate'));
  assert.equal(evalPlans.length, 3, `the evaluation's plan, then best-fixed-hint's and the agent's chosen answers: ${batch.plans.join(', ')}`);
  const strip = (r: typeof online.summary) => {
    const res = r.evaluation!.results;
    // Usage is compared below: this test's own filler says nothing of what it paid for, so its
    // answers reach the conditions as cache hits.
    return { conditions: res.conditions.map(({ usage: _usage, ...c }) => c), comparisons: res.comparisons, sessions: res.sessions };
  };
  assert.deepEqual(strip(batch.summary), strip(online.summary), 'the same results as online');
  // A caller that passes no filler (VS Code's pipeline, studies) gets the core's batch filler: the setting is not ignored.
  const byDefault = await run({ 'llm.executor': 'batch', 'llm.batchPollMs': 10 }, false);
  assert.equal(byDefault.online, 0, 'no request sent online without a filler either');
  assert.deepEqual(strip(byDefault.summary), strip(online.summary));
  // The core's filler says which answers its batches paid for: each condition is charged the
  // answers it read first, as online (asked ahead there too), at the Batch API's price.
  const usage = (r: typeof online.summary) => r.evaluation!.results.conditions.map((c) => ({ condition: c.condition, calls: c.usage!.calls, cacheHits: c.usage!.cacheHits, promptTokens: c.usage!.promptTokens, completionTokens: c.usage!.completionTokens }));
  assert.deepEqual(usage(byDefault.summary), usage(online.summary));
  assert.ok(usage(online.summary).some((c) => c.calls > 0));
  // The run's spend by stage counts the batch lines its fills imported (its client made no call).
  const charged = byDefault.summary.evaluation!.results.conditions.reduce((n, c) => n + c.usage!.calls, 0);
  assert.equal(byDefault.summary.spend.evaluate?.calls, charged);
  assert.ok((byDefault.summary.spend.train?.calls ?? 0) > 0, JSON.stringify(byDefault.summary.spend));
  for (const [i, c] of online.summary.evaluation!.results.conditions.entries()) {
    const b = byDefault.summary.evaluation!.results.conditions[i]!;
    assert.ok(Math.abs(b.usage!.cost - BATCH_PRICE_FACTOR * c.usage!.cost) < 1e-9, `${c.condition}: ${b.usage!.cost} at batch prices, ${c.usage!.cost} online`);
  }
});
