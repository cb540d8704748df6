import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runReflection, reflectionOrder } from '../../../src/core/reflect/runReflection';
import { checkRedundancy } from '../../../src/core/reflect/checks';
import { checkpointPath, type ReflectionCheckpoint } from '../../../src/core/reflect/checkpoint';
import type { ReflectionProgress } from '../../../src/core/reflect/types';
import { validateKb, hasErrors, type HintKb } from '../../../src/core/kb';
import type { Logger } from '../../../src/core/util/log';
import { harness, fixedClock } from './simHarness';

after(async () => (await harness()).close());

const readKb = (p: string): HintKb => JSON.parse(readFileSync(p, 'utf8')) as HintKb;
const readCp = (runDir: string): ReflectionCheckpoint => JSON.parse(readFileSync(checkpointPath(runDir), 'utf8')) as ReflectionCheckpoint;
/** The sessions' records without what each cost (that depends on what the cache held). */
const records = (runDir: string): unknown => readCp(runDir).sessions.map(({ usage: _usage, ...rest }) => rest);
/** What later stages depend on: ids, texts, enabled, checks (not timestamps). */
const essence = (kb: HintKb): unknown => kb.hints.map((h) => ({ id: h.id, text: h.text, enabled: h.enabled, session: h.provenance?.session, checks: h.provenance?.checks }));

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, message) => lines.push(`${level}: ${message}`) };
}

test('end to end against the simulator: the KB reaches its target; every rejection reason occurs; a warm-cache rerun makes 0 calls', async () => {
  const h = await harness();
  const config = h.config((c) => (c.reflection.targetHints = 20));
  const dir = h.tmp('reflect-e2e');
  const cache = join(dir, 'cache');
  const events: ReflectionProgress[] = [];
  const kbPath = join(dir, 'kb', 'hetrec-mini.hints.json');
  const s = await runReflection({ dataset: h.dataset, client: await h.client(config, cache), config, kbPath, runDir: join(dir, 'run'), onProgress: (p) => events.push(p), clock: fixedClock() });

  assert.equal(s.stopReason, 'target');
  assert.equal(s.kbSize, 20);
  assert.equal(s.accepted, 20);
  assert.ok(s.errorSessions > 0 && s.errorSessions < s.sessionsTried, 'some sessions are hits, some errors');
  for (const [reason, n] of Object.entries(s.rejected)) assert.ok(n > 0, `no hint rejected as ${reason}: ${JSON.stringify(s.rejected)}`);
  const rejected = Object.values(s.rejected).reduce((a, b) => a + b, 0);
  const cp = readCp(join(dir, 'run'));
  const skipped = cp.sessions.flatMap((x) => x.candidates).filter((c) => c.verdict === 'skipped').length;
  assert.equal(s.proposed, s.accepted + rejected + skipped);
  assert.ok(s.thisRun.calls > 0 && s.thisRun.tokens > 0 && s.thisRun.cost > 0);
  assert.equal(s.total.calls, s.thisRun.calls);

  // The KB file: valid against the schema and the dataset, 20 reflection hints with provenance.
  const text = readFileSync(kbPath, 'utf8');
  const diags = validateKb(text, { dataset: h.dataset, maxHintChars: config.reflection.maxHintChars });
  assert.ok(!hasErrors(diags), JSON.stringify(diags));
  assert.deepEqual(diags.filter((d) => d.code === 'leak'), []);
  const kb = readKb(kbPath);
  assert.equal(kb.dataset, 'hetrec-mini');
  assert.equal(kb.hints.length, 20);
  for (const hint of kb.hints) {
    assert.equal(hint.source, 'reflection');
    assert.equal(hint.provenance?.model, 'sim');
    assert.equal(hint.provenance?.checks?.effective, true);
    assert.equal(hint.provenance?.checks?.leak, false);
    assert.ok(h.dataset.splits.train.some((x) => x.id === hint.provenance?.session));
  }

  // The checkpoint records every candidate with its check results.
  const all = cp.sessions.flatMap((x) => x.candidates);
  assert.ok(all.some((c) => c.verdict === 'leak' && typeof c.leakTitle === 'string'));
  assert.ok(all.some((c) => c.verdict === 'ineffective' && c.effective === false));
  // (LLM-judged redundancy is exercised directly in the "budgets and modes" test: which path catches
  // a repeat in this run depends on the simulator's rank model.)
  assert.ok(all.some((c) => c.verdict === 'redundant' && c.redundancyBy === 'text'));
  assert.deepEqual(cp.sessions.map((x) => x.index), cp.sessions.map((_, i) => i));
  assert.deepEqual(cp.sessions.map((x) => x.sessionId), reflectionOrder(h.dataset.splits.train, config.reflection.seed).slice(0, cp.sessions.length).map((x) => x.id));
  // Leak rejections really name the session's target or a candidate.
  for (const x of cp.sessions) for (const c of x.candidates) if (c.verdict === 'leak') assert.ok(c.text.toLowerCase().includes(c.leakTitle!.toLowerCase().replace(/,.*$/, '')), c.text);

  // Progress: one event at the start and one per session, counts never decrease, last = summary.
  assert.equal(events.length, s.sessionsTried + 1);
  for (let i = 1; i < events.length; i++) {
    assert.equal(events[i]!.sessionIndex, i);
    assert.ok(events[i]!.accepted >= events[i - 1]!.accepted && events[i]!.calls >= events[i - 1]!.calls);
  }
  const last = events[events.length - 1]!;
  assert.deepEqual([last.accepted, last.kbSize, last.rejected], [20, 20, s.rejected]);
  // Requests in flight for sessions run ahead land after the last session's event.
  assert.ok(last.calls <= s.thisRun.calls && s.thisRun.calls <= last.calls + 3 * config.llm.concurrency, `${last.calls} vs ${s.thisRun.calls}`);
  assert.ok(s.keptCalls <= s.thisRun.calls);
  assert.equal(last.lastHint, kb.hints[19]!.text);

  // Same settings, fresh KB and run folder, warm cache: the same KB, with no call for a kept
  // session (only a few for work run ahead past the target, which depends on timing).
  const kbPath2 = join(dir, 'kb2.hints.json');
  const s2 = await runReflection({ dataset: h.dataset, client: await h.client(config, cache), config, kbPath: kbPath2, runDir: join(dir, 'run2'), clock: fixedClock() });
  assert.equal(s2.keptCalls, 0);
  assert.ok(s2.thisRun.calls <= s.thisRun.calls / 10, `${s2.thisRun.calls} calls, ${s.thisRun.calls} cold`);
  assert.ok(s2.thisRun.cacheHits > 0);
  assert.deepEqual(essence(readKb(kbPath2)), essence(kb));

  // Rerunning the finished run: nothing to do, no call.
  const s3 = await runReflection({ dataset: h.dataset, client: await h.client(config, cache), config, kbPath, runDir: join(dir, 'run') });
  assert.equal(s3.stopReason, 'target');
  assert.equal(s3.thisRun.calls + s3.thisRun.sessions, 0);
  assert.equal(s3.resumed, true);
});

test('resume after a stop mid-run: no duplicated or lost work, the same KB as an uninterrupted run', async () => {
  const h = await harness();
  const config = h.config((c) => (c.reflection.targetHints = 8));
  const dir = h.tmp('reflect-resume');

  // Uninterrupted reference run, with its own cache.
  const ref = await runReflection({ dataset: h.dataset, client: await h.client(config, join(dir, 'cacheA')), config, kbPath: join(dir, 'a.hints.json'), runDir: join(dir, 'runA') });
  assert.equal(ref.stopReason, 'target');

  // Interrupted run (fresh cache): cancelled once 3 hints are in, then resumed.
  const controller = new AbortController();
  const kbB = join(dir, 'b.hints.json');
  const runB = join(dir, 'runB');
  const first = await runReflection({
    dataset: h.dataset, client: await h.client(config, join(dir, 'cacheB')), config, kbPath: kbB, runDir: runB, signal: controller.signal,
    onProgress: (p) => p.accepted >= 3 && controller.abort(),
  });
  assert.equal(first.stopReason, 'cancelled');
  assert.ok(first.accepted >= 3 && first.accepted < 8);
  const cp1 = readCp(runB);
  assert.equal(cp1.sessions.length, first.sessionsTried);
  assert.ok(cp1.accepted.every((a) => a.saved));
  assert.equal(readKb(kbB).hints.length, first.accepted);

  const logger = recordingLogger();
  const second = await runReflection({ dataset: h.dataset, client: await h.client(config, join(dir, 'cacheB')), config, kbPath: kbB, runDir: runB, logger });
  assert.equal(second.resumed, true);
  assert.ok(logger.lines.some((l) => /resuming after \d+ session/.test(l)));
  assert.equal(second.stopReason, 'target');
  assert.equal(second.thisRun.sessions, ref.sessionsTried - first.sessionsTried, 'the resumed run starts where the first stopped');
  // Every kept session's requests were made (none skipped); the rest is work run ahead for sessions
  // past the target, which depends on timing (the KB does not).
  const made = first.thisRun.calls + second.thisRun.calls;
  assert.ok(made >= ref.keptCalls && made <= 2 * ref.thisRun.calls, `${made} calls vs ${ref.keptCalls} kept, ${ref.thisRun.calls} made uninterrupted`);
  assert.deepEqual(essence(readKb(kbB)), essence(readKb(join(dir, 'a.hints.json'))));
  const cp = readCp(runB);
  assert.deepEqual(cp.sessions.map((x) => x.index), cp.sessions.map((_, i) => i));
  assert.deepEqual(records(runB), records(join(dir, 'runA')));
  assert.deepEqual({ ...second, thisRun: 0, resumed: 0, total: 0, keptCalls: 0 }, { ...ref, kbPath: kbB, runDir: runB, thisRun: 0, resumed: 0, total: 0, keptCalls: 0 });
});

test('a kill inside a session (abort during its LLM calls) loses nothing: the session is redone from the cache', async () => {
  const h = await harness();
  const config = h.config((c) => (c.reflection.targetHints = 5));
  const dir = h.tmp('reflect-kill');
  const served = (): number => h.sim.stats().byRoute['POST /v1/chat/completions'] ?? 0;
  let mark = served();
  const a = await runReflection({ dataset: h.dataset, client: await h.client(config, join(dir, 'cacheA')), config, kbPath: join(dir, 'a.hints.json'), runDir: join(dir, 'runA') });
  const servedA = served() - mark;

  // Abort from inside the client at the 40th chat request (mid-session, during the checks).
  const controller = new AbortController();
  const inner = await h.client(config, join(dir, 'cacheB'));
  let requests = 0;
  const killing = {
    usage: () => inner.usage(),
    describe: () => inner.describe(),
    embed: (t: string[], sig?: AbortSignal) => inner.embed(t, sig),
    chat: async (req: Parameters<typeof inner.chat>[0], sig?: AbortSignal) => {
      if (++requests === 40) controller.abort();
      return inner.chat(req, sig);
    },
  };
  const kbB = join(dir, 'b.hints.json');
  mark = served();
  const first = await runReflection({ dataset: h.dataset, client: killing, config, kbPath: kbB, runDir: join(dir, 'runB'), signal: controller.signal });
  assert.equal(first.stopReason, 'cancelled');
  const second = await runReflection({ dataset: h.dataset, client: await h.client(config, join(dir, 'cacheB')), config, kbPath: kbB, runDir: join(dir, 'runB') });
  const servedB = served() - mark;
  assert.equal(second.stopReason, 'target');
  assert.equal(second.resumed, first.sessionsTried > 0);
  assert.deepEqual(essence(readKb(kbB)), essence(readKb(join(dir, 'a.hints.json'))));
  assert.deepEqual(records(join(dir, 'runB')), records(join(dir, 'runA')));
  // Every request the kept sessions needed was served; beyond them, requests in flight at the
  // abort (at most llm.concurrency) are asked twice, and work run ahead past the target differs
  // with timing (each run's own, at most what the uninterrupted run made beyond its kept calls).
  const ahead = servedA - a.keptCalls;
  assert.ok(servedB >= a.keptCalls && servedB <= a.keptCalls + config.llm.concurrency + 2 * ahead, `${servedB} requests vs ${servedA} uninterrupted (${a.keptCalls} kept)`);
});

test('hand edits to the KB during a run are kept: edited text stays, deleted hints are not re-added, manual hints count', async () => {
  const h = await harness();
  const config = h.config((c) => (c.reflection.targetHints = 8));
  const dir = h.tmp('reflect-edit');
  const kbPath = join(dir, 'edit.hints.json');
  let edited: { changed: string; deleted: string } | undefined;
  const s = await runReflection({
    dataset: h.dataset, client: await h.client(config, join(dir, 'cache')), config, kbPath, runDir: join(dir, 'run'),
    onProgress: (p) => {
      if (edited || p.accepted < 3) return;
      // The researcher edits the file in an editor while the run goes on (4-space indent).
      const kb = readKb(kbPath);
      const [a, b] = kb.hints;
      a!.text = 'Reworded by hand: favour the decade of the most recent titles.';
      a!.notes = 'edited';
      kb.hints = kb.hints.filter((x) => x.id !== b!.id);
      kb.hints.push({ id: 'h-manual', text: 'Prefer films with strong ensemble casts.', source: 'manual' });
      writeFileSync(kbPath, JSON.stringify(kb, null, 4) + '\n');
      edited = { changed: a!.id, deleted: b!.id };
    },
  });
  assert.ok(edited);
  assert.equal(s.stopReason, 'target');
  const kb = readKb(kbPath);
  assert.equal(kb.hints.length, 8, 'target size counts the manual hint and not the deleted one');
  assert.equal(kb.hints.find((x) => x.id === edited!.changed)?.text, 'Reworded by hand: favour the decade of the most recent titles.');
  assert.ok(!kb.hints.some((x) => x.id === edited!.deleted), 'a deleted hint is not re-added');
  assert.ok(kb.hints.some((x) => x.id === 'h-manual' && x.source === 'manual'));
  assert.match(readFileSync(kbPath, 'utf8'), /\n    "hints": \[/, 'the user\'s formatting is kept');
  assert.equal(s.accepted, 8, 'every accepted hint (incl. the deleted one) is counted in the summary');
});

test('budgets and modes: maxCalls stops the run; embedding and both redundancy modes; rankImprove', async () => {
  const h = await harness();
  const dir = h.tmp('reflect-modes');
  const cache = join(dir, 'cache');
  const budget = h.config((c) => (c.reflection.maxCalls = 30));
  const s = await runReflection({ dataset: h.dataset, client: await h.client(budget, cache), config: budget, kbPath: join(dir, 'budget.json'), runDir: join(dir, 'run-budget') });
  assert.equal(s.stopReason, 'maxCalls');
  assert.ok(s.thisRun.calls >= 30 && s.thisRun.calls < 30 + 20, `calls ${s.thisRun.calls}`);

  const plain = h.config();
  const costly = await runReflection({ dataset: h.dataset, client: await h.client(plain, join(dir, 'cache-cost')), config: plain, kbPath: join(dir, 'cost.json'), runDir: join(dir, 'run-cost'), maxCost: 0.001 });
  assert.equal(costly.stopReason, 'maxCost');
  assert.ok(costly.total.cost >= 0.001 && costly.total.cost < 0.002, `cost ${costly.total.cost}`);
  // At c = 64 sessions run ahead 64 at a time; the gate counts what the open ones will still
  // spend (budgetGate.ts), so the run stays near the two sessions it keeps (10 calls): counting
  // only the calls made, it made 79 (0.0073). Pricing a call by the answered calls alone and
  // shrinking the kept mean toward a prior took it from 23 calls (0.0022) to 15 (0.0015), and
  // under 0.003 from 66 calls (0.0064) to 43 (0.0043).
  const wide = h.config((c) => (c.llm.concurrency = 64));
  for (const [maxCost, below] of [[0.001, 0.0018], [0.003, 0.0052]] as const) {
    const wideRun = await runReflection({ dataset: h.dataset, client: await h.client(wide, join(dir, `cache-wide-${maxCost}`)), config: wide, kbPath: join(dir, `wide-${maxCost}.json`), runDir: join(dir, `run-wide-${maxCost}`), maxCost });
    assert.equal(wideRun.stopReason, 'maxCost');
    assert.ok(wideRun.total.cost >= maxCost && wideRun.total.cost < below, `cost ${wideRun.total.cost} in ${wideRun.total.calls} calls under --max-cost ${maxCost}`);
  }

  const few = h.config((c) => (c.reflection.maxSessions = 3));
  const s0 = await runReflection({ dataset: h.dataset, client: await h.client(few, cache), config: few, kbPath: join(dir, 'few.json'), runDir: join(dir, 'run-few') });
  assert.equal(s0.stopReason, 'maxSessions');
  assert.equal(s0.sessionsTried, 3);

  // checkRedundancy against the simulator's embeddings: a reworded hint is caught, a new idea is not.
  const emb = h.config((x) => {
    x.reflection.redundancy = 'embedding';
    x.reflection.similarityThreshold = 0.6;
  });
  const client = await h.client(emb, cache);
  const kb = [{ id: 'h-era', text: 'Favour movies from the 1990s, the decade most of the recent ones come from.' }, { id: 'h-dir', text: 'Look for directors who appear repeatedly in the history.' }];
  const w = { item: 'movie', items: 'movies', verb: 'watched', verbPresent: 'watch' };
  const same = await checkRedundancy(client, emb, w, 'Favour movies from the 1970s, the decade most of the recent ones come from.', kb);
  assert.deepEqual([same.redundant, same.redundantWith, same.by], [true, 'h-era', 'embedding']);
  assert.ok(same.similarity! > 0.6);
  const fresh = await checkRedundancy(client, emb, w, 'Give international films a chance when the history includes foreign titles.', kb);
  assert.equal(fresh.redundant, false);
  assert.ok(fresh.similarity! < 0.6);
  assert.deepEqual(await checkRedundancy(client, emb, w, 'Anything.', []), { redundant: false, redundantWith: null });

  // The paper's check: the LLM is asked whether the hint repeats the KB (yes/no).
  const llmMode = h.config((x) => (x.reflection.redundancy = 'llm'));
  const llmClient = await h.client(llmMode, cache);
  const repeat = await checkRedundancy(llmClient, llmMode, w, 'Favour movies from the 1970s, the decade most of the recent ones come from.', kb);
  assert.deepEqual([repeat.redundant, repeat.by], [true, 'llm']);
  const novel = await checkRedundancy(llmClient, llmMode, w, 'Give international films a chance when the history includes foreign titles.', kb);
  assert.equal(novel.redundant, false);

  for (const mode of ['embedding', 'both'] as const) {
    const c = h.config((x) => {
      x.reflection.redundancy = mode;
      x.reflection.targetHints = 6;
      x.reflection.similarityThreshold = 0.6;
    });
    const r = await runReflection({ dataset: h.dataset, client: await h.client(c, cache), config: c, kbPath: join(dir, `${mode}.json`), runDir: join(dir, `run-${mode}`) });
    assert.equal(r.stopReason, 'target', mode);
    const cands = readCp(join(dir, `run-${mode}`)).sessions.flatMap((x) => x.candidates);
    assert.ok(cands.some((x) => typeof x.similarity === 'number'), `${mode}: similarities recorded`);
  }
  const improve = h.config((x) => {
    x.reflection.effectiveness = 'rankImprove';
    x.reflection.minRankImprovement = 5;
    x.reflection.targetHints = 4;
  });
  const r = await runReflection({ dataset: h.dataset, client: await h.client(improve, cache), config: improve, kbPath: join(dir, 'improve.json'), runDir: join(dir, 'run-improve') });
  const acc = readCp(join(dir, 'run-improve')).sessions.flatMap((x) => x.candidates).filter((x) => x.verdict === 'accepted');
  assert.equal(r.accepted, acc.length);
  for (const a of acc) assert.ok(a.rankAfter !== null && a.rankAfter! <= 11 - 5, `rank ${a.rankAfter} is not 5 better than "not listed"`);
});

test('a checkpoint made with other settings is set aside, not mixed in', async () => {
  const h = await harness();
  const dir = h.tmp('reflect-mismatch');
  const cache = join(dir, 'cache');
  const c1 = h.config((c) => (c.reflection.maxSessions = 2));
  await runReflection({ dataset: h.dataset, client: await h.client(c1, cache), config: c1, kbPath: join(dir, 'kb.json'), runDir: join(dir, 'run') });
  const c2 = h.config((c) => {
    c.reflection.maxSessions = 2;
    c.reflection.seed = 99;
  });
  const logger = recordingLogger();
  const s = await runReflection({ dataset: h.dataset, client: await h.client(c2, cache), config: c2, kbPath: join(dir, 'kb.json'), runDir: join(dir, 'run'), logger });
  assert.equal(s.resumed, false);
  assert.ok(logger.lines.some((l) => l.startsWith('warn: ') && /other settings/.test(l)));
  assert.deepEqual(readCp(join(dir, 'run')).sessions.map((x) => x.sessionId), reflectionOrder(h.dataset.splits.train, 99).slice(0, 2).map((x) => x.id));
  assert.ok(existsSync(join(dir, 'run')));
});

test('a crash between the checkpoint and the KB write: unsaved hints are written on resume, never twice', async () => {
  const h = await harness();
  const config = h.config((c) => (c.reflection.targetHints = 4));
  const dir = h.tmp('reflect-unsaved');
  const kbPath = join(dir, 'kb.json');
  const runDir = join(dir, 'run');
  const cache = join(dir, 'cache');
  await runReflection({ dataset: h.dataset, client: await h.client(config, cache), config, kbPath, runDir });
  const full = readKb(kbPath);
  assert.equal(full.hints.length, 4);

  // As if the process died after checkpointing the last hint but before writing the KB.
  const cp = readCp(runDir);
  cp.accepted[3]!.saved = false;
  writeFileSync(checkpointPath(runDir), JSON.stringify(cp));
  writeFileSync(kbPath, JSON.stringify({ ...full, hints: full.hints.slice(0, 3) }, null, 2));
  const s = await runReflection({ dataset: h.dataset, client: await h.client(config, cache), config, kbPath, runDir });
  assert.equal(s.thisRun.calls, 0);
  assert.deepEqual(essence(readKb(kbPath)), essence(full));
  assert.ok(readCp(runDir).accepted.every((a) => a.saved));

  // As if it died after the KB write but before marking the hint saved: not duplicated.
  const cp2 = readCp(runDir);
  cp2.accepted[3]!.saved = false;
  writeFileSync(checkpointPath(runDir), JSON.stringify(cp2));
  await runReflection({ dataset: h.dataset, client: await h.client(config, cache), config, kbPath, runDir });
  assert.deepEqual(essence(readKb(kbPath)), essence(full));
});
