/**
 * Reflection on many sessions at once (issue 15) keeps the KB of a session-by-session run:
 * one request at a time, 16 at once under random latency, and rounds filled through the
 * simulator's Batch API (issue 13) write byte-identical KBs, the redundancy questions included in
 * the rounds (none asked online by acceptance); a session that failed for good
 * (issue 12) is asked again when its checkpoint is resumed, ending with the fault-free KB.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runReflection } from '../../../src/core/reflect/runReflection';
import { checkpointPath, type ReflectionCheckpoint } from '../../../src/core/reflect/checkpoint';
import type { Re2llmConfig } from '../../../src/core/config/defaults';
import { createLlmClient, ResponseCache, withChat, type LlmClient } from '../../../src/core/llm';
import { onlineExecutor } from '../../../src/core/llm/executor';
import { batchExecutor } from '../../../src/core/llm/batchExecutor';
import { reflectionHasWork, reflectStage, roundFiller } from '../../../src/core/run/reflectStage';
import { batchPlanFiller } from '../../../src/core/run/batchFill';
import { pendingPlan } from '../../../src/core/run/stagePlans';
import type { StageContext } from '../../../src/core/run/stage';
import { silentLogger } from '../../../src/core/util/log';
import { startSimServer, type SimServer } from '../../../src/core/sim';
import { reflectionResponders } from '../../../src/core/sim/reflectionResponder';
import { REDUNDANCY_MARKER, redundancyHintOf } from '../../../src/core/reflect/prompts';
import { Rng } from '../../../src/core/util/rng';
import { harness, fixedClock, type Harness } from './simHarness';
import { sessionsBeforeRate } from '../../../src/core/reflect/sessionsNeeded';

const extra: SimServer[] = [];
after(async () => {
  for (const s of extra) await s.close();
  await (await harness()).close();
});

const records = (runDir: string): unknown =>
  (JSON.parse(readFileSync(checkpointPath(runDir), 'utf8')) as ReflectionCheckpoint).sessions.map(({ usage: _usage, ...rest }) => rest);

/** The client with a random delay (0-25 ms, seeded) before each chat request: answers arrive out of order. */
function jittered(inner: LlmClient, seed: number): LlmClient {
  const rng = new Rng(`jitter/${seed}`);
  return withChat(inner, async (req, s) => {
    await new Promise((r) => setTimeout(r, rng.next() * 25));
    return inner.chat(req, s);
  });
}

/**
 * The client runReflection is given, counting the requests of one purpose it had to send itself
 * (answers not in the cache). For redundancy questions in rounds mode: the executor fills rounds
 * through the inner client, and the reflection client then reads them from the cache, so what
 * this counts was sent outside a round, by acceptance. For `rank-hint`: the effectiveness checks;
 * for `rank`, the base answers (one per session opened).
 */
function countingSent(inner: LlmClient, purpose: 'redundancy' | 'rank-hint' | 'rank'): { client: LlmClient; sent: () => number } {
  let sent = 0;
  return {
    sent: () => sent,
    client: withChat(inner, async (req, s) => {
      const res = await inner.chat(req, s);
      if (req.purpose === purpose && !res.cached) sent++;
      return res;
    }),
  };
}

/** Candidates whose effectiveness acceptance read, over a run's records. */
const checksUsed = (runDir: string): number =>
  (JSON.parse(readFileSync(checkpointPath(runDir), 'utf8')) as ReflectionCheckpoint).sessions.reduce((n, s) => n + s.candidates.filter((c) => c.effective !== undefined).length, 0);

/** Candidates the LLM's redundancy answer rejected, over a run's records. */
const llmRedundant = (runDir: string): number =>
  (JSON.parse(readFileSync(checkpointPath(runDir), 'utf8')) as ReflectionCheckpoint).sessions.reduce((n, s) => n + s.candidates.filter((c) => c.verdict === 'redundant' && c.redundancyBy === 'llm').length, 0);

async function reflect(h: Harness, config: Re2llmConfig, dir: string, name: string, opts: { client?: LlmClient; fillRound?: Parameters<typeof runReflection>[0]['fillRound'] } = {}) {
  const kbPath = join(dir, `${name}.hints.json`);
  const runDir = join(dir, `run-${name}`);
  const client = opts.client ?? (await h.client(config, join(dir, `cache-${name}`)));
  const summary = await runReflection({ dataset: h.dataset, client, config, kbPath, runDir, clock: fixedClock(), ...(opts.fillRound ? { fillRound: opts.fillRound } : {}) });
  return { summary, kb: readFileSync(kbPath, 'utf8'), runDir };
}

const withTarget = (h: Harness, concurrency: number, more?: (c: Re2llmConfig) => void): Re2llmConfig =>
  h.config((c) => {
    c.reflection.targetHints = 12;
    c.llm.concurrency = concurrency;
    c.llm.endpointId = 'sim://reflect-concurrent';
    more?.(c);
  });

test('one request at a time, 16 at once with random latency, and rounds: byte-identical KBs and records', async () => {
  const h = await harness();
  const dir = h.tmp('reflect-concurrent');
  const one = await reflect(h, withTarget(h, 1), dir, 'c1');
  assert.equal(one.summary.stopReason, 'target');
  assert.equal(one.summary.kbSize, 12);

  const c16 = withTarget(h, 16);
  const many = await reflect(h, c16, dir, 'c16', { client: jittered(await h.client(c16, join(dir, 'cache-c16')), 7) });
  assert.equal(many.kb, one.kb, 'the same KB file, byte for byte');
  assert.deepEqual(records(many.runDir), records(one.runDir));
  assert.equal(many.summary.sessionsTried, one.summary.sessionsTried);
  // Work run ahead for sessions past the target is made but not charged to the kept sessions.
  assert.ok(many.summary.thisRun.calls >= many.summary.keptCalls);
  assert.equal(many.summary.keptCalls, one.summary.keptCalls, 'budgets see the same calls whatever ran ahead');

  const jitterOne = await reflect(h, withTarget(h, 1), dir, 'c1-jitter', { client: jittered(await h.client(withTarget(h, 1), join(dir, 'cache-c1j')), 3) });
  assert.equal(jitterOne.kb, one.kb);

  // Rounds: every session of a group waits for its round, which is filled as one plan; so do the
  // redundancy questions acceptance will ask (reflection.redundancy=llm, the default, set here).
  const c8 = withTarget(h, 8, (c) => (c.reflection.redundancy = 'llm'));
  const cache = await ResponseCache.open(join(dir, 'cache-rounds'));
  const inner = createLlmClient(c8, { cache });
  const counted = countingSent(inner, 'redundancy');
  const rounds: number[] = [];
  const redundancyRounds: number[] = [];
  const exec = onlineExecutor(inner, 8);
  let filling = 0;
  const rounded = await reflect(h, c8, dir, 'rounds', {
    client: counted.client,
    fillRound: roundFiller(async (plan) => {
      // One fill at a time (two at once would contend for the batch executor's lock).
      assert.equal(++filling, 1, 'fills do not overlap');
      rounds.push(plan.requests.length);
      if (plan.requests.some((r) => r.request.purpose === 'redundancy')) {
        assert.ok(plan.requests.every((r) => r.request.purpose === 'redundancy'), 'a redundancy round holds only redundancy questions');
        redundancyRounds.push(plan.requests.length);
      }
      await exec.fill(plan.requests);
      filling--;
    }, { dataset: h.dataset, config: c8 }),
  });
  assert.equal(rounded.kb, one.kb);
  assert.deepEqual(records(rounded.runDir), records(one.runDir));
  assert.ok(rounds.length >= 5, `base answers, three turns and the effectiveness checks: ${rounds.length} rounds`);
  assert.ok(rounds[0]! >= 16, `the first round holds a group's base answers: ${rounds.join(', ')}`);
  // The replay asks each question ahead and answers the next replay from what came back, so a
  // hint the LLM calls redundant costs a further round, not an online request: acceptance finds
  // every question it asks in the cache. (Only a line that failed for good in its round would be
  // asked again by acceptance; the executor here fails none.)
  assert.ok(llmRedundant(one.runDir) > 0, 'the run has LLM-redundant rejections, so guesses were wrong somewhere');
  assert.ok(redundancyRounds.length > 0, `redundancy questions went into rounds: ${redundancyRounds.join(', ')}`);
  assert.equal(counted.sent(), 0, 'no redundancy question sent outside a round');
});

/**
 * An endpoint that answers in rounds: requests reaching it wait until none has arrived for 50 ms,
 * then are all answered together. The rounds a run takes are its chain of requests that wait on
 * each other (what an endpoint's latency multiplies), whatever the machine's speed: a slow machine
 * only splits a round in two. It sits under the client, so cache hits and requests joining one in
 * flight do not reach it.
 */
function inRounds(): { fetch: typeof fetch; rounds: { size: number; redundancy: number }[] } {
  const rounds: { size: number; redundancy: number }[] = [];
  let pending: { redundancy: boolean; go: () => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const release = (): void => {
    const round = pending;
    pending = [];
    rounds.push({ size: round.length, redundancy: round.filter((p) => p.redundancy).length });
    for (const p of round) p.go();
  };
  return {
    rounds,
    fetch: async (input, init) => {
      const redundancy = typeof init?.body === 'string' && init.body.includes(JSON.stringify(REDUNDANCY_MARKER).slice(1, -1));
      await new Promise<void>((go) => {
        pending.push({ redundancy, go });
        clearTimeout(timer);
        timer = setTimeout(release, 50);
      });
      return fetch(input, init);
    },
  };
}

test('the non-redundancy questions are asked ahead of acceptance: not one round per question', async () => {
  const h = await harness();
  const dir = h.tmp('reflect-ahead');
  const config = withTarget(h, 64, (c) => (c.reflection.redundancy = 'llm'));
  const one = await reflect(h, withTarget(h, 1, (c) => (c.reflection.redundancy = 'llm')), dir, 'one');
  const gated = inRounds();
  const inner = createLlmClient(config, { cache: await ResponseCache.open(join(dir, 'cache-gated')), fetch: gated.fetch });
  const checks = countingSent(inner, 'rank-hint');
  const ahead = await reflect(h, config, dir, 'ahead', { client: checks.client });
  assert.equal(ahead.kb, one.kb, 'the KB does not depend on what was asked ahead');
  // Effectiveness checks run ahead of acceptance; those of candidates the KB comes to repeat
  // (by the replay's prediction, or once accepted while a check waits for its slot) are not
  // sent. 67 of 202 checks went unused before, 42 of 177 now.
  const used = checksUsed(ahead.runDir);
  assert.ok(checks.sent() - used <= 0.4 * used, `${checks.sent()} checks sent, ${used} used by acceptance`);
  const questions = gated.rounds.reduce((a, r) => a + r.redundancy, 0);
  const alone = gated.rounds.filter((r) => r.size === 1 && r.redundancy === 1).length;
  const shown = JSON.stringify(gated.rounds);
  assert.ok(questions >= 8, `${questions} redundancy questions: the run must ask enough of them to test this`);
  // Asked one after another, each question is a round of its own (6 of 18 rounds when the
  // questions were not asked ahead); asked ahead, they travel together.
  assert.ok(Math.max(...gated.rounds.map((r) => r.redundancy)) >= 3, `questions asked together: ${shown}`);
  assert.ok(alone <= 2, `${alone} rounds of a lone question: ${shown}`);
});

test('llm.executor=batch: later rounds go through the simulator\'s Batch API and give the online KB', async () => {
  const h = await harness();
  const dir = h.tmp('reflect-batch');
  const online = await reflect(h, withTarget(h, 4), dir, 'online');

  const sim = await startSimServer({ dataset: h.dataset, seed: 1, responders: reflectionResponders(), batch: { processingDelayMs: 5, failLineRate: 0.05 } });
  extra.push(sim);
  const config = withTarget(h, 4, (c) => {
    c.llm.baseUrl = sim.url;
    c.llm.batchPollMs = 10;
    c.reflection.redundancy = 'llm';
  });
  const cache = await ResponseCache.open(join(dir, 'cache-batch'));
  const client = createLlmClient(config, { cache });
  const counted = countingSent(client, 'redundancy');
  const exec = batchExecutor({ config, cache, stateDir: join(dir, 'batch-state'), online: onlineExecutor(client, 4) });
  let redundancyPlans = 0;
  const batched = await reflect(h, config, dir, 'batch', {
    client: counted.client,
    fillRound: roundFiller(async (plan) => {
      if (plan.requests.some((r) => r.request.purpose === 'redundancy')) redundancyPlans++;
      await exec.fill(plan.requests);
    }, { dataset: h.dataset, config }),
  });
  assert.equal(batched.kb, online.kb);
  assert.deepEqual(records(batched.runDir), records(online.runDir));
  const routes = sim.stats().byRoute;
  assert.ok((routes['POST /v1/batches'] ?? 0) >= 5, JSON.stringify(routes));
  assert.ok(redundancyPlans > 0, 'the redundancy questions went through the Batch API');
  // Acceptance sent no redundancy question itself: each was in a round (see the test above for
  // why the count is 0, not merely bounded by the redundant rejections). Online, only the failed
  // batch lines the executor retried (llm.batchRetryFailed=online).
  assert.equal(counted.sent(), 0, 'no redundancy question sent outside a round');
  const asked = routes['POST /v1/chat/completions'] ?? 0;
  assert.ok(asked < online.summary.keptCalls / 5, `${asked} online requests (failed lines retried), against ${online.summary.keptCalls} for the online run`);
});

test('a session that failed for good is asked again when the checkpoint is resumed: the fault-free KB', async () => {
  const h = await harness();
  const dir = h.tmp('reflect-retry');
  const clean = withTarget(h, 4, (c) => (c.reflection.targetHints = 8));
  const reference = await reflect(h, clean, dir, 'reference');
  assert.equal(reference.summary.failedSessions, 0);

  const faulty = await startSimServer({ dataset: h.dataset, seed: 1, responders: reflectionResponders(), faults: { rate500: 0.08 } });
  extra.push(faulty);
  const broken = withTarget(h, 4, (c) => {
    c.reflection.targetHints = 8;
    c.llm.baseUrl = faulty.url;
    c.llm.maxRetries = 0;
    c.llm.maxFailureRate = 1;
  });
  const kbPath = join(dir, 'resumed.hints.json');
  const runDir = join(dir, 'run-resumed');
  const cacheDir = join(dir, 'cache-resumed');
  const first = await runReflection({ dataset: h.dataset, client: await h.client(broken, cacheDir), config: broken, kbPath, runDir, clock: fixedClock() });
  assert.ok(first.failedSessions > 0, 'some sessions failed for good');
  assert.ok((faulty.stats().faults['500'] ?? 0) > 0);

  // The same checkpoint (same endpoint id), the endpoint healthy again.
  const second = await runReflection({ dataset: h.dataset, client: await h.client(clean, cacheDir), config: clean, kbPath, runDir, clock: fixedClock() });
  assert.equal(second.resumed, true);
  assert.equal(second.failedSessions, 0, 'the failed sessions were asked again');
  assert.equal(second.stopReason, 'target');
  const essence = (text: string): unknown => (JSON.parse(text) as { hints: { id: string; text: string; provenance?: { session?: string } }[] }).hints.map((x) => [x.id, x.text, x.provenance?.session]);
  assert.deepEqual(essence(readFileSync(kbPath, 'utf8')), essence(reference.kb));
  assert.deepEqual(records(runDir), records(reference.runDir));
});

test('the pipeline\'s reflect stage asks failed sessions again even when the faulty run reached the target (it used to skip a KB at its target)', async () => {
  const h = await harness();
  const dir = h.tmp('reflect-stage-retry');
  const clean = withTarget(h, 4, (c) => {
    c.reflection.targetHints = 6;
    c.output.runsDir = join(dir, 'runs');
  });
  const reference = await reflect(h, clean, dir, 'reference');
  const faulty = await startSimServer({ dataset: h.dataset, seed: 1, responders: reflectionResponders(), faults: { rate500: 0.08 } });
  extra.push(faulty);
  // The stage's settings are the clean ones; only the first client meets the faulty endpoint.
  const brokenClient = withTarget(h, 4, (c) => {
    c.llm.baseUrl = faulty.url;
    c.llm.maxRetries = 0;
    c.llm.maxFailureRate = 1;
  });
  const kbPath = join(dir, 'stage.hints.json');
  const cacheDir = join(dir, 'cache-stage');
  const ctx: StageContext = { resolved: { config: clean, baseDir: dir } as StageContext['resolved'], packageVersion: 'test', logger: silentLogger };
  const first = await reflectStage(ctx, { dataset: h.dataset, client: await h.client(brokenClient, cacheDir), kbPath });
  assert.equal(first.enabledHints, 6, 'the faulty run reached the target');
  assert.ok((first.reflection as { failedSessions: number }).failedSessions > 0, 'with sessions that failed for good');
  // What the front ends ask before paying for round 1 ahead: there is work (the failed sessions).
  const runDir = (first.reflection as { runDir: string }).runDir;
  const work = async (): Promise<boolean> => reflectionHasWork({ dataset: h.dataset, client: await h.client(clean, cacheDir), config: clean, kbPath, runDir });
  assert.equal(await work(), true, 'a KB at its target with failed sessions to ask again');
  const second = await reflectStage(ctx, { dataset: h.dataset, client: await h.client(clean, cacheDir), kbPath });
  assert.ok(!('skipped' in second.reflection), 'not skipped: it had failed sessions to ask again');
  assert.equal(await work(), false, 'a KB at its target with nothing to retry: round 1 is not paid for');
  assert.equal(await reflectionHasWork({ dataset: h.dataset, client: await h.client(clean, cacheDir), config: clean, kbPath: join(dir, 'none.hints.json'), runDir: join(dir, 'nowhere') }), true, 'no KB yet');
  assert.equal((second.reflection as { failedSessions: number }).failedSessions, 0);
  const essence = (text: string): unknown => (JSON.parse(text) as { hints: { id: string; text: string }[] }).hints.map((x) => [x.id, x.text]);
  assert.deepEqual(essence(readFileSync(kbPath, 'utf8')), essence(reference.kb));
  // A third run has nothing to retry: skipped as before.
  const third = await reflectStage(ctx, { dataset: h.dataset, client: await h.client(clean, cacheDir), kbPath });
  assert.ok('skipped' in third.reflection);
});

/** c = 16 against a simulator of its own with the Batch API, cache and batch state in `dir`. */
async function batchConfig(h: Harness, dir: string, more?: (c: Re2llmConfig) => void): Promise<Re2llmConfig> {
  const sim = await startSimServer({ dataset: h.dataset, seed: 1, responders: reflectionResponders(), batch: { processingDelayMs: 5 } });
  extra.push(sim);
  return withTarget(h, 16, (c) => {
    c.llm.baseUrl = sim.url;
    c.llm.batchPollMs = 10;
    c.llm.cacheDir = join(dir, 'cache');
    c.output.runsDir = join(dir, 'runs');
    more?.(c);
  });
}

test('llm.executor=batch under --max-cost: rounds are cut at the budget as online runs ahead are, and kept sessions are charged at batch prices', async () => {
  const h = await harness();
  const dir = h.tmp('reflect-batch-budget');
  const config = await batchConfig(h, dir, (c) => (c.reflection.redundancy = 'llm'));
  let batchCost = 0;
  let lines = 0;
  const fill = batchPlanFiller(config, { logger: silentLogger, onUsage: (u) => { batchCost += u.cost; lines += u.requests; } });
  const client = await h.client(config, config.llm.cacheDir);
  const maxCost = 0.001;
  const s = await runReflection({ dataset: h.dataset, client, config, kbPath: join(dir, 'kb.json'), runDir: join(dir, 'run'), maxCost, fillRound: roundFiller(fill, { dataset: h.dataset, config }) });
  assert.equal(s.stopReason, 'maxCost');
  const paid = batchCost + client.usage().cost; // the batches' lines, and what the client sent online
  const kept = (JSON.parse(readFileSync(checkpointPath(join(dir, 'run')), 'utf8')) as ReflectionCheckpoint).sessions.reduce((n, x) => n + (x.usage?.cost ?? 0), 0);
  // What the run paid (the batches' lines at batch prices, and any request sent online) stays
  // near the budget, as online (the "budgets and modes" test): the sessions kept up to the one
  // that crossed it, and what ran ahead of them. Before the gate covered rounds, the first rounds
  // paid for 16 sessions at a time: 663 lines, 0.0344 under this budget of 0.001.
  assert.ok(paid >= maxCost && paid < 3 * maxCost, `paid ${paid.toFixed(5)} in ${lines} batch lines + ${client.usage().calls} online calls`);
  // The summary counts the batch lines (the client saw none of them).
  assert.ok(Math.abs(s.total.cost - paid) < 1e-6 && s.thisRun.calls === lines + client.usage().calls, `summary ${s.thisRun.calls} calls ${s.total.cost}, batches ${lines} lines ${batchCost}`);
  // Kept sessions are charged what their lines cost (batch prices): the stop rule crossed the
  // budget, and they were charged no more than was paid (at online prices they were charged
  // 0.0028 of the 0.0023 paid).
  assert.ok(kept >= maxCost && kept <= paid + 1e-9, `kept sessions charged ${kept}, paid ${paid}`);
});

test('llm.executor=batch under a budget that binds late: a few rounds, not each session after the head alone in rounds of one line', async () => {
  const h = await harness();
  const dir = h.tmp('reflect-batch-late-budget');
  const config = await batchConfig(h, dir, (c) => {
    c.reflection.redundancy = 'llm';
    c.reflection.targetHints = 20;
  });
  let batchCost = 0;
  let fills = 0;
  const fill = batchPlanFiller(config, { logger: silentLogger, onUsage: (u) => (batchCost += u.cost) });
  const client = await h.client(config, config.llm.cacheDir);
  const maxCost = 0.006;
  const s = await runReflection({ dataset: h.dataset, client, config, kbPath: join(dir, 'kb.json'), runDir: join(dir, 'run'), maxCost, fillRound: roundFiller(async (plan) => (fills++, fill(plan)), { dataset: h.dataset, config }) });
  assert.equal(s.stopReason, 'maxCost');
  const paid = batchCost + client.usage().cost;
  // Before: 76 batches and 0.0117 paid. The gate counted the work paid for sessions after the one
  // asking, so once that neared the budget every session after the head was held back and then
  // reflected alone (its turns, checks and question each a batch of one line or a few); and round
  // 2 held the first group's base answers, priced at the one call of a session ranked right.
  // Now 19 batches and 0.0089.
  assert.ok(fills <= 30, `${fills} batches`);
  assert.ok(paid >= maxCost && paid < 1.75 * maxCost, `paid ${paid.toFixed(5)}`);
});

test('llm.executor=batch: round 1 batched before the run counts in its spend, and each base answer is charged to the session that reads it', async () => {
  const h = await harness();
  const dir = h.tmp('reflect-batch-ahead');
  const config = await batchConfig(h, dir);
  let lines = 0;
  const fill = batchPlanFiller(config, { logger: silentLogger, onUsage: (u) => { lines += u.requests; } });
  const { plan } = await pendingPlan('reflect', { dataset: h.dataset, config, cache: await ResponseCache.open(config.llm.cacheDir) });
  const paidAhead = (await fill(plan)) ?? [];
  assert.equal(paidAhead.length, plan.requests.length, 'one paid line per base answer planned');
  const client = await h.client(config, config.llm.cacheDir);
  const s = await runReflection({ dataset: h.dataset, client, config, kbPath: join(dir, 'kb.json'), runDir: join(dir, 'run'), paidAhead, fillRound: roundFiller(fill, { dataset: h.dataset, config }) });
  assert.equal(s.stopReason, 'target');
  // Every line the batches paid for (round 1's and the later rounds') is in the run's spend.
  assert.equal(s.thisRun.calls, lines + client.usage().calls);
  const sessions = (JSON.parse(readFileSync(checkpointPath(join(dir, 'run')), 'utf8')) as ReflectionCheckpoint).sessions;
  // A session the LLM ranked right stops at its base answer, which round 1 paid for: it is
  // charged that one line, not nothing.
  const right = sessions.filter((x) => !x.error && !x.failure);
  assert.ok(right.length > 0);
  for (const x of right) assert.equal(x.usage?.calls, 1, JSON.stringify(x.usage));
});

test('at c = 64 a small target opens the sessions its hints need, not 64 before any rate is known', async () => {
  const h = await harness();
  const dir = h.tmp('reflect-prior');
  const config = withTarget(h, 64, (c) => (c.reflection.targetHints = 3));
  const one = await reflect(h, withTarget(h, 1, (c) => (c.reflection.targetHints = 3)), dir, 'one');
  const inner = await h.client(config, join(dir, 'cache-wide'));
  const bases = countingSent(inner, 'rank');
  const wide = await reflect(h, config, dir, 'wide', { client: bases.client });
  assert.equal(wide.kb, one.kb, 'the KB does not depend on how far sessions were opened ahead');
  // Before ten sessions are known the window is what 3 hints need at the early rate, with the
  // margin: sessionsBeforeRate(3) = 14. With a fixed 64 it sent 71 base answers for the 11
  // sessions this run tries.
  const prior = sessionsBeforeRate(3);
  assert.equal(prior, 14);
  assert.ok(bases.sent() <= wide.summary.sessionsTried + prior, `${bases.sent()} base answers sent for ${wide.summary.sessionsTried} sessions tried`);
});

test('a check acceptance must make itself (its candidate was screened out against hints the KB did not get) is sent ahead, not one session at a time at the end', { timeout: 120_000 }, async () => {
  const h = await harness();
  const dir = h.tmp('reflect-checks-ahead');
  // 256 at once through hetrec-mini's 300 sessions (60 hints is more than they hold): most
  // sessions are prepared before acceptance reaches them, against a KB the replays guessed.
  const config = withTarget(h, 256, (c) => (c.reflection.targetHints = 60));
  const gated = inRounds();
  const inner = createLlmClient(config, { cache: await ResponseCache.open(join(dir, 'cache-wide')), fetch: gated.fetch });
  const wide = await reflect(h, config, dir, 'wide', { client: inner });
  const one = await reflect(h, withTarget(h, 1, (c) => (c.reflection.targetHints = 60)), dir, 'one');
  assert.equal(wide.kb, one.kb, 'the KB does not depend on what was asked ahead');
  // Left to acceptance, each such check went out when the head reached its session: the run
  // ended with 4 rounds of one check each (15 rounds in all; 11 now, none of one request).
  const lone = gated.rounds.filter((r) => r.size === 1 && r.redundancy === 0).length;
  assert.ok(lone <= 1, `${lone} rounds of one request that is not a redundancy question: ${JSON.stringify(gated.rounds)}`);
});

/**
 * The client with `ms` of latency on every request, counting the redundancy questions sent before
 * any effectiveness check of their hint had come back (`early`), and all questions sent.
 */
function questionsBeforeChecks(inner: LlmClient, ms: number): { client: LlmClient; early: () => number; questions: () => number } {
  const checked: string[] = [];
  let early = 0;
  let questions = 0;
  return {
    early: () => early,
    questions: () => questions,
    client: withChat(inner, async (req, s) => {
      if (req.purpose === 'redundancy') {
        questions++;
        const hint = JSON.stringify(redundancyHintOf(req.messages) ?? '').slice(1, -1);
        if (!checked.some((body) => body.includes(hint))) early++;
      }
      await new Promise((r) => setTimeout(r, ms));
      const res = await inner.chat(req, s);
      if (req.purpose === 'rank-hint') checked.push(JSON.stringify(req.messages));
      return res;
    }),
  };
}

test('a session\'s redundancy questions go out beside its effectiveness checks into idle slots, never at c = 1', async () => {
  const h = await harness();
  const dir = h.tmp('reflect-beside');
  const llm = (c: Re2llmConfig): void => void (c.reflection.redundancy = 'llm');
  const oneConfig = withTarget(h, 1, llm);
  const one = questionsBeforeChecks(await h.client(oneConfig, join(dir, 'cache-one')), 5);
  const atOne = await reflect(h, oneConfig, dir, 'one', { client: one.client });
  assert.equal(one.early(), 0, 'one request at a time: a question waits for its check');
  const config = withTarget(h, 64, llm);
  const wide = questionsBeforeChecks(await h.client(config, join(dir, 'cache-wide')), 30);
  const atWide = await reflect(h, config, dir, 'wide', { client: wide.client });
  assert.equal(atWide.kb, atOne.kb, 'the KB does not depend on what was asked ahead');
  // Before, every question waited for a check of its hint to come back: 0 early, where 5-8 of
  // 61-73 are now (the run made 417-488 calls before, 410-446 now: its run-ahead varies more).
  assert.ok(wide.early() >= 2, `${wide.early()} of ${wide.questions()} questions sent before a check of their hint was back`);
  // Under a budget the open sessions could reach, nothing is asked beside the checks: a question
  // there may be wasted, and a budget is what the run must not pass for speed (without that rule
  // this run sent 9 early and made 181 calls; it makes 161, 125 of them kept).
  const capped = withTarget(h, 64, (c) => {
    llm(c);
    c.reflection.maxCalls = 120;
  });
  const tight = questionsBeforeChecks(await h.client(capped, join(dir, 'cache-capped')), 30);
  const atTight = await reflect(h, capped, dir, 'capped', { client: tight.client });
  assert.equal(atTight.summary.stopReason, 'maxCalls');
  assert.equal(tight.early(), 0, `${tight.early()} of ${tight.questions()} questions sent before a check of their hint was back`);
});
