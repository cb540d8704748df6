/**
 * The real CoreApi adapter (src/extension/coreAdapter/load.ts) against the simulated LLM on loopback and
 * the bundled example: the hint check, an evaluation, and the session drill-down built from its
 * predictions. Small settings so it stays a few seconds.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../src/extension/coreAdapter/load';
import type { JobContext, JobProgress } from '../../src/extension/coreAdapter/api';
import { resolveConfig } from '../../src/core/config/resolve';
import { loadDataset } from '../../src/core/data/load';
import { startSimServer, type SimServer } from '../../src/core/sim/index';
import { readResults } from '../../src/extension/host/runs';

const ROOT = join(import.meta.dirname, '..', '..');
const KEY = 'sk-adapter-test-key';
let sim: SimServer;
let out: string;

function ctx(values: Record<string, unknown>, progress: JobProgress[] = [], logs: string[] = []): JobContext {
  const resolved = resolveConfig({
    configFile: join(ROOT, 'examples', 're2llm.config.json'),
    layers: [{ source: 'test', values: { 'llm.baseUrl': sim.url, 'llm.model': 'sim-llm', 'output.runsDir': join(out, 'runs'), 'llm.cacheDir': join(out, 'cache'), ...values } }],
  });
  return {
    resolved,
    config: resolved.config,
    apiKey: KEY,
    logger: { log: (_l, m) => void logs.push(m) },
    signal: new AbortController().signal as JobContext['signal'],
    onProgress: (p) => void progress.push(p),
  };
}

before(async () => {
  out = mkdtempSync(join(tmpdir(), 'adapter-'));
  const base = resolveConfig({ configFile: join(ROOT, 'examples', 're2llm.config.json') });
  sim = await startSimServer({ dataset: await loadDataset(base.config), seed: 1 });
});
after(async () => {
  await sim?.close();
});

test('tryHint: with/without the hint on N validation sessions through the cached client', { timeout: 60_000 }, async () => {
  const core = createCore(ROOT);
  const progress: JobProgress[] = [];
  const r = await core.tryHint(ctx({}, progress), 'Favour movies from the same genre as the most recent ones.', 4);
  assert.equal(r.sessions, 4);
  assert.ok(r.improved + r.worsened <= 4);
  assert.ok(Number.isFinite(r.meanReward) && Math.abs(r.meanReward) <= 1);
  assert.equal(progress.at(-1)?.done, 4);
  assert.ok((progress.at(-1)?.calls ?? 0) > 0);
});

test('evaluate then drill down: results.json, report, and a session detail with its rebuilt prompt', { timeout: 120_000 }, async () => {
  const core = createCore(ROOT);
  const kbPath = join(out, 'kb', 'hetrec-mini.hints.json');
  mkdirSync(join(out, 'kb'), { recursive: true });
  writeFileSync(kbPath, JSON.stringify({ version: 1, dataset: 'hetrec-mini', hints: [{ id: 'h-genre', text: 'Favour movies from the same genre as the most recent ones.' }] }));
  const logs: string[] = [];
  const c = ctx({ 'evaluation.testSample': 6, 'evaluation.conditions': ['no-hint', 'random-hint', 'popularity'], 'evaluation.bootstrap': 20 }, [], logs);
  const { runDir } = await core.evaluate(c, kbPath);
  const results = await readResults(runDir);
  assert.ok(results, 'results.json');
  assert.deepEqual(results.conditions.map((x) => x.condition).sort(), ['no-hint', 'popularity', 'random-hint']);
  assert.ok(existsSync(join(runDir, 'report.html')) || logs.some((l) => /report not written/.test(l)));
  const s = results.sessions[0]!;
  const detail = await core.sessionDetail(runDir, results, s.sessionId, 'random-hint');
  assert.equal(detail.sessionId, s.sessionId);
  assert.equal(detail.targetTitle, s.targetTitle);
  assert.match(detail.prompt, /candidate/i);
  assert.ok(detail.ranking.length > 0 && detail.ranking.every((t) => typeof t === 'string'));
  assert.equal(detail.hintId, 'h-genre');
  assert.equal(detail.hintText, 'Favour movies from the same genre as the most recent ones.');
  await assert.rejects(core.sessionDetail(runDir, results, 'no-such-session', 'no-hint'), /no prediction for session no-such-session/);
  assert.ok(!logs.join('\n').includes(KEY), 'the key reached a log line');
});

test('train in the worker: live curve points, then Stop keeps the last checkpoint and the run resumes', { timeout: 180_000 }, async () => {
  const core = createCore(ROOT);
  const kbPath = join(out, 'kb-train', 'hetrec-mini.hints.json');
  mkdirSync(join(out, 'kb-train'), { recursive: true });
  writeFileSync(kbPath, JSON.stringify({ version: 1, dataset: 'hetrec-mini', hints: [{ id: 'h-genre', text: 'Favour movies from the same genre as the most recent ones.' }, { id: 'h-decade', text: 'Prefer movies from the decade most of the history comes from.' }] }));
  const progress: JobProgress[] = [];
  const c = ctx({ 'agent.steps': 200000, 'dataset.maxTrainSessions': 30 }, progress);
  const abort = new AbortController();
  c.signal = abort.signal as JobContext['signal'];
  const stopped = core.train(c, kbPath);
  const deadline = Date.now() + 120_000;
  while (!progress.some((p) => p.point) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const runDir = progress.find((p) => p.runDir)?.runDir;
  assert.ok(runDir, 'the run folder is reported before training starts');
  assert.ok(progress.some((p) => p.point && typeof p.point.meanReward === 'number'), 'no curve point within 120 s');
  abort.abort();
  await assert.rejects(stopped, /training stopped at step \d+; the last checkpoint is kept/);
  assert.ok(existsSync(join(runDir, 'manifest.json')));
  // The card's call count goes on from the reward table asked ahead (best-fixed-hint is among the
  // conditions): it used to drop to the worker's own count once training started.
  const calls = progress.filter((p) => p.calls !== undefined).map((p) => p.calls!);
  assert.ok(calls.length > 1 && calls.every((n, i) => i === 0 || n >= calls[i - 1]!), `card calls ${calls.slice(0, 5).join(', ')} ... ${calls.slice(-5).join(', ')}`);
  const lastStep = Math.max(...progress.filter((p) => p.point).map((p) => p.point!.step));

  // Resume: the same run folder, continuing after the checkpoint.
  const resumed: JobProgress[] = [];
  const c2 = ctx({ 'agent.steps': 200000, 'dataset.maxTrainSessions': 30 }, resumed);
  const abort2 = new AbortController();
  c2.signal = abort2.signal as JobContext['signal'];
  const again = core.train(c2, kbPath, runDir);
  while (!resumed.some((p) => p.point) && Date.now() < deadline + 60_000) await new Promise((r) => setTimeout(r, 100));
  abort2.abort();
  await assert.rejects(again, /training stopped/);
  assert.equal(resumed.find((p) => p.runDir)?.runDir, runDir);
  const firstResumed = resumed.find((p) => p.point)!.point!.step;
  const firstFresh = progress.find((p) => p.point)!.point!.step;
  // A fresh run's first point is one batch in; a resumed run's comes after the checkpointed steps.
  assert.ok(firstResumed > firstFresh, `resumed at step ${firstResumed}, a fresh run starts at ${firstFresh} (stopped at ${lastStep})`);
});

test('reflect through the staging copy with the real core: hints land in the KB, the checkpoint folder is per KB path', { timeout: 120_000 }, async () => {
  const { reflectIntoKb } = await import('../../src/extension/host/reflectRun');
  const { FakeVs } = await import('./fakes/fakeVscode');
  const { readdirSync, readFileSync } = await import('node:fs');
  const core = createCore(ROOT);
  const c = ctx({ 'reflection.targetHints': 2, 'reflection.maxSessions': 40 });
  const kbPath = join(out, 'reflect-a', 'hetrec-mini.hints.json');
  const r = await reflectIntoKb(new FakeVs().workspace, core, c, kbPath);
  assert.equal(r.status, 'done');
  if (r.status !== 'done') return;
  assert.equal(r.out.where, 'disk');
  const kb = JSON.parse(readFileSync(kbPath, 'utf8')) as { hints: { id: string }[] };
  assert.equal(kb.hints.length, r.accepted);
  assert.ok(r.accepted > 0, 'the simulator yields hints within 40 sessions');
  assert.equal(existsSync(r.staging.file), false);
  // The same file name in another folder: its own checkpoint folder, not the first one's.
  // Same settings (they are part of the key too), so only the KB's folder tells them apart.
  await reflectIntoKb(new FakeVs().workspace, core, ctx({ 'reflection.targetHints': 2, 'reflection.maxSessions': 40 }), join(out, 'reflect-b', 'hetrec-mini.hints.json'));
  assert.equal(readdirSync(join(out, 'runs')).filter((n) => n.startsWith('reflect-ext-')).length, 2);
});

test('llm.executor=batch in VS Code\'s own Reflect and Evaluate: the answers come through the Batch API, none online, and the results equal an online run', { timeout: 180_000 }, async () => {
  const base = resolveConfig({ configFile: join(ROOT, 'examples', 're2llm.config.json') });
  const batchSim = await startSimServer({ dataset: await loadDataset(base.config), seed: 1, batch: { processingDelayMs: 5 } });
  try {
    const core = createCore(ROOT);
    const settings = (dir: string, executor: 'online' | 'batch'): Record<string, unknown> => ({
      'llm.baseUrl': batchSim.url, 'llm.executor': executor, 'llm.batchPollMs': 10,
      'llm.cacheDir': join(out, dir, 'cache'), 'output.runsDir': join(out, dir, 'runs'),
      'reflection.targetHints': 2, 'reflection.maxSessions': 30,
      'evaluation.testSample': 8, 'evaluation.conditions': ['no-hint', 'random-hint', 'best-fixed-hint'], 'evaluation.bootstrap': 20,
    });
    const run = async (dir: string, executor: 'online' | 'batch') => {
      const kbPath = join(out, dir, 'kb.hints.json');
      const logs: string[] = [];
      const before = { ...batchSim.stats().byRoute };
      const reflectProgress: JobProgress[] = [];
      const evalProgress: JobProgress[] = [];
      await core.reflect(ctx(settings(dir, executor), reflectProgress, logs), kbPath);
      const reflectLogs = logs.length;
      const { runDir } = await core.evaluate(ctx(settings(dir, executor), evalProgress, logs), kbPath);
      // What the job's card shows last, and the batch lines its filler reported paying for.
      const lastCalls = (ps: JobProgress[]): number | undefined => ps.filter((p) => p.calls !== undefined).at(-1)?.calls;
      const lines = (ls: string[]): number => ls.reduce((n, l) => n + Number(/^batch: \w+: (\d+) line\(s\) answered/.exec(l)?.[1] ?? 0), 0);
      const cards = { reflect: lastCalls(reflectProgress), evaluate: lastCalls(evalProgress), reflectLines: lines(logs.slice(0, reflectLogs)), evaluateLines: lines(logs.slice(reflectLogs)) };
      const after = batchSim.stats().byRoute;
      const delta = (route: string): number => (after[route] ?? 0) - (before[route] ?? 0);
      return { kb: (await import('node:fs')).readFileSync(kbPath, 'utf8'), results: await readResults(runDir), chat: delta('POST /v1/chat/completions'), batches: delta('POST /v1/batches'), logs, cards };
    };
    const online = await run('exec-online', 'online');
    const batched = await run('exec-batch', 'batch');
    assert.ok(online.chat > 0 && online.batches === 0);
    assert.equal(batched.chat, 0, 'no answer was asked online');
    assert.ok(batched.batches >= 3, `batches created: ${batched.batches}`);
    assert.ok(batched.logs.some((l) => /^batch: evaluate: \d+ of \d+ planned answers in the cache/.test(l)), batched.logs.join('\n'));
    // A batch job's card counts the lines its batches answered (its client made no call).
    const c = batched.cards;
    assert.ok(c.reflectLines > 0 && c.evaluateLines > 0, JSON.stringify(c));
    assert.deepEqual([c.reflect, c.evaluate], [c.reflectLines, c.evaluateLines]);
    assert.equal(online.cards.reflectLines + online.cards.evaluateLines, 0);
    const strip = (kb: string): unknown => (JSON.parse(kb) as { hints: { id: string; text: string }[] }).hints.map((h) => [h.id, h.text]);
    assert.deepEqual(strip(batched.kb), strip(online.kb));
    const table = (r: typeof online.results) => r?.conditions.map((c) => [c.condition, c.n, c.metrics]);
    assert.deepEqual(table(batched.results), table(online.results));
  } finally {
    await batchSim.close();
  }
});
