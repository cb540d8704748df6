/**
 * The real CoreApi: each function imports its core module on first call (dynamic import), so
 * activation loads none of the core. Jobs that train run in the worker process via the core's
 * worker client; reflection, evaluation and the pipeline call the core's functions.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import type { SessionDetail } from '../../protocol/webview';
import type { CoreApi, JobContext } from './api';
import type { TrainProgress } from '../../protocol/worker';
import type { ReflectionProgress } from '../../core/reflect/types';
import type { StageContext } from '../../core/run/stage';
import type { SessionDataset } from '../../core/data/types';
import type { LlmClient, UsageStats } from '../../core/llm/types';
import { llmHealthText, trainProgressCalls } from '../../core/llm/progressText';
import type { BatchSpend } from '../../core/run/batchFill';
import type { PaidAnswer } from '../../core/llm/paidAhead';
import type { HintKb } from '../../core/kb/types';
import { version as PACKAGE_VERSION } from '../../../package.json';

/** Finds one record of predictions.jsonl without loading the whole file. */
async function findPrediction(runDir: string, sessionId: string, condition: string): Promise<Record<string, unknown> | undefined> {
  const rl = createInterface({ input: createReadStream(join(runDir, 'predictions.jsonl'), 'utf8'), crlfDelay: Infinity });
  try {
    for await (const line of rl) {
      if (!line.includes(sessionId)) continue;
      try {
        const r = JSON.parse(line) as Record<string, unknown>;
        if (r.sessionId === sessionId && r.condition === condition) return r;
      } catch {
        /* a torn last line */
      }
    }
  } finally {
    rl.close();
  }
  return undefined;
}

export function createCore(extensionPath: string): CoreApi {
  void extensionPath;
  const kb = () => import('../../core/kb/index');
  return {
    async validateKb(text, o) {
      return (await kb()).validateKb(text, { maxHintChars: o.maxHintChars, dataset: o.dataset ? { name: o.dataset.name, items: o.dataset.items } : undefined });
    },
    async parseKb(text) {
      return (await kb()).parseKbText(text).kb;
    },
    async mergeKbText(userText, base, desired) {
      return (await kb()).mergeKbText(userText, base, desired).text;
    },
    async saveKbMerged(path, base, desired) {
      const r = await (await kb()).saveKbMerged(path, { path, text: base.text, kb: base.kb }, desired);
      return { hints: r.snapshot.kb.hints.length };
    },
    async kbFingerprint(k) {
      return (await kb()).kbFingerprint(k);
    },
    async formatKb(k) {
      return (await kb()).formatKb(k);
    },
    async loadDataset(config, logger) {
      return (await import('../../core/data/load')).loadDataset(config, { logger });
    },
    async startSimulator(dataset, seed) {
      const sim = await (await import('../../core/sim/index')).startSimServer({ dataset, seed });
      return { baseUrl: sim.url, close: () => sim.close() };
    },
    async exportResults(runDir, format, outFile) {
      const { loadResults } = await import('../../core/report/write');
      const { exportMetricTable } = await import('../../core/report/export');
      const { writeFileAtomic } = await import('../../core/util/fs');
      await writeFileAtomic(outFile, exportMetricTable(await loadResults(runDir), format));
      return outFile;
    },
    async estimateStages(resolved, stages, kbPath) {
      const { plansForConfig } = await import('../../core/run/stagePlans');
      return (await plansForConfig(resolved, stages, { kbPath })).plans.map((p) => p.estimate);
    },
    async sessionDetail(runDir, results, sessionId, condition): Promise<SessionDetail> {
      const rec = await findPrediction(runDir, sessionId, condition);
      if (!rec) throw new Error(`no prediction for session ${sessionId} (${condition}) in ${runDir}/predictions.jsonl`);
      const hintId = typeof rec.hintId === 'string' && rec.hintId !== 'none' ? rec.hintId : undefined;
      const ranking = Array.isArray(rec.ranking) ? rec.ranking.map(String) : [];
      const outcome = results.sessions.find((s) => s.sessionId === sessionId);
      const detail: SessionDetail = {
        runId: results.run.id,
        sessionId,
        condition,
        prompt: '(prompt not available: the dataset of this run could not be loaded)',
        hintId,
        answer: typeof rec.answer === 'string' ? rec.answer : '(no LLM answer: a baseline condition)',
        ranking,
        targetTitle: outcome?.targetTitle ?? String(rec.target ?? ''),
        targetRank: typeof rec.targetRank === 'number' ? rec.targetRank : null,
      };
      // The prompt is rebuilt from the dataset and config the run recorded (not stored per answer).
      try {
        const { resolveConfig } = await import('../../core/config/resolve');
        const { loadDataset } = await import('../../core/data/load');
        const { buildRankPrompt, rankPromptOptions, titleOf } = await import('../../core/prompts/rank');
        const config = resolveConfig({ layers: [{ source: `${runDir}/results.json run.config`, values: results.run.config }] }).config;
        const ds = await loadDataset(config);
        const session = [...ds.splits.test, ...ds.splits.validation].find((s) => s.id === sessionId);
        const hintText = hintId ? await hintTextOf(results.run.kb?.path, hintId) : undefined;
        if (hintText !== undefined) detail.hintText = hintText;
        if (session) {
          const p = buildRankPrompt(ds, session, rankPromptOptions(config), hintText) as unknown;
          detail.prompt = typeof p === 'string' ? p : promptText(p);
          detail.ranking = ranking.map((id) => titleOf(ds, id));
        }
      } catch {
        /* keep the placeholder prompt; the answer and ranking still show */
      }
      return detail;
    },
    ...jobs(),
  };
}

/** A rank prompt object to display text (messages joined, or its `text`). */
function promptText(p: unknown): string {
  const o = p as { text?: string; messages?: { role: string; content: string }[] };
  if (typeof o.text === 'string') return o.text;
  if (Array.isArray(o.messages)) return o.messages.map((m) => m.content).join('\n\n');
  return JSON.stringify(p, null, 2);
}

async function hintTextOf(kbPath: string | undefined, hintId: string): Promise<string | undefined> {
  if (!kbPath) return undefined;
  try {
    const { loadKbFile } = await import('../../core/kb/index');
    return (await loadKbFile(kbPath)).kb.hints.find((h) => h.id === hintId)?.text;
  } catch {
    return undefined;
  }
}

/** Reflection, training (in the worker process), evaluation, the pipeline and the hint check. */
function jobs(): Pick<CoreApi, 'reflect' | 'train' | 'evaluate' | 'runExperiment' | 'tryHint'> {
  /** The cached LLM client for a job (the key is passed in, never read from settings). */
  const clientFor = async (ctx: JobContext) => (await import('../../core/llm/open')).openLlmClient(ctx.config, { logger: ctx.logger, apiKey: ctx.apiKey });
  /** What every core stage takes: the resolved config plus this job's logger and cancel signal. */
  const stageContext = (ctx: JobContext): StageContext => ({ resolved: ctx.resolved, packageVersion: PACKAGE_VERSION, logger: ctx.logger, signal: ctx.signal });
  const dataset = async (ctx: JobContext) => (await import('../../core/data/load')).loadDataset(ctx.config, { logger: ctx.logger });
  /** Training always runs in the forked worker; the key reaches it through its environment only. */
  const trainer = async (ctx: JobContext) =>
    (await import('../../worker/trainer')).workerTrainer({ logger: ctx.logger, env: { [ctx.config.llm.apiKeyEnv]: ctx.apiKey }, signal: ctx.signal });
  /** `ahead`: the table's answers asked online before the worker started (the card keeps counting them). */
  const trainPoint = (ctx: JobContext, p: TrainProgress, ahead = 0) =>
    ctx.onProgress({
      done: p.step,
      total: p.totalSteps,
      calls: p.calls + ahead,
      message: `update ${p.update}: reward ${p.meanReward.toFixed(3)} · LLM calls ${trainProgressCalls(p)}/${p.callBound} (bound)`,
      point: { step: p.step, meanReward: p.meanReward, entropy: p.entropy, valueLoss: p.valueLoss, ...(typeof p.validationReward === 'number' ? { validationReward: p.validationReward } : {}) },
    });
  const reflectProgress = (ctx: JobContext, p: ReflectionProgress) =>
    ctx.onProgress({
      done: p.kbSize,
      total: p.targetHints,
      calls: p.calls,
      cost: p.cost,
      message: `session ${p.sessionIndex}/${p.sessions} · ${p.accepted} accepted, ${Object.values(p.rejected).reduce((a, b) => a + b, 0)} rejected · KB ${p.kbSize}/${p.targetHints}`,
    });
  /**
   * A job that may pay for batches: its progress reports add the batch lines and their cost to
   * the calls and cost of the stage's client, which counts online requests only (a batch job's
   * card read "0 calls · $0.0000"). `spend` is what the job's batch filler reports to.
   */
  const spendOf = new WeakMap<JobContext, (s: BatchSpend) => void>();
  const batchAware = (ctx: JobContext): JobContext => {
    const paid = { calls: 0, cost: 0 };
    const aware: JobContext = {
      ...ctx,
      onProgress: (p) =>
        ctx.onProgress({ ...p, ...(p.calls !== undefined ? { calls: p.calls + paid.calls } : {}), ...(p.cost !== undefined ? { cost: p.cost + paid.cost } : {}) }),
    };
    spendOf.set(aware, (s) => {
      paid.calls += s.requests;
      paid.cost += s.cost;
      ctx.onProgress({ calls: paid.calls, cost: paid.cost });
    });
    return aware;
  };
  const batchFiller = async (ctx: JobContext) => {
    if (ctx.config.llm.executor !== 'batch') return undefined;
    const { batchPlanFiller } = await import('../../core/run/batchFill');
    const onUsage = spendOf.get(ctx);
    return batchPlanFiller(ctx.config, { logger: ctx.logger, ...(ctx.apiKey ? { apiKey: ctx.apiKey } : {}), ...(onUsage ? { onUsage } : {}) });
  };
  /** A stage's requests asked ahead, with the client's health (retries, failures, a lowered limit). */
  const fillProgress = (ctx: JobContext, stage: string, done: number, total: number, usage: UsageStats) =>
    ctx.onProgress({ message: `${stage}: asking ahead ${done}/${total}${llmHealthText(usage, ctx.config.llm.concurrency)}`, done, total, calls: usage.calls, cost: usage.cost });
  /**
   * The stage's pending plan filled before it runs, by llm.executor, as the CLI and Run Full
   * Pipeline do (batch: the Batch API; online: asked ahead where that pays). Returns the batch
   * filler for the stage's later rounds (undefined online).
   */
  const fillFirst = async (ctx: JobContext, stage: 'reflect' | 'train' | 'evaluate', input: { dataset: SessionDataset; client: LlmClient; kb?: HintKb; agent?: boolean }) => {
    const [{ pendingPlan, fillPendingPlan }, { ResponseCache }, fill] = await Promise.all([
      import('../../core/run/stagePlans'), import('../../core/llm/cache'), batchFiller(ctx),
    ]);
    const { config } = ctx;
    const { plan } = await pendingPlan(stage, { dataset: input.dataset, config, cache: await ResponseCache.open(config.llm.cacheDir), ...(input.kb ? { kb: input.kb } : {}), ...(input.agent ? { agent: true } : {}) });
    const paidAhead = await fillPendingPlan(plan, { config, client: input.client, fill, signal: ctx.signal, onProgress: (done, total) => fillProgress(ctx, stage, done, total, input.client.usage()) });
    return { fill, paidAhead };
  };
  return {
    async reflect(ctx, kbPath) {
      // Reflection's own progress counts the batch lines it read (runReflection's paidAhead and
      // rounds): reported as they are, where the fills' reports go through batchAware.
      const plain = ctx;
      ctx = batchAware(ctx);
      const [{ runReflection }, { reflectionKey }, { withStageLock }, { roundFiller, reflectionHasWork }, ds, client] = await Promise.all([
        import('../../core/reflect/runReflection'), import('../../core/run/stageKeys'), import('../../core/run/stageLock'), import('../../core/run/reflectStage'), dataset(ctx), clientFor(ctx),
      ]);
      // One checkpoint per KB file (its absolute path) and per everything that shapes the answers.
      const key = reflectionKey({ config: ctx.config, datasetHash: ds.hash, packageVersion: PACKAGE_VERSION }, resolve(kbPath));
      const runDir = join(ctx.config.output.runsDir, `reflect-ext-${key}`);
      const s = await withStageLock(runDir, { stage: 'reflect', logger: ctx.logger }, async () => {
        // llm.executor=batch: the base answers as one batch first, then each later round as one.
        // (Not when the KB is at its target with nothing to retry: the run stops at once.)
        const { fill, paidAhead } = (await reflectionHasWork({ dataset: ds, client, config: ctx.config, kbPath, runDir }))
          ? await fillFirst(ctx, 'reflect', { dataset: ds, client })
          : { fill: await batchFiller(ctx), paidAhead: undefined };
        return runReflection({
          dataset: ds, client, config: ctx.config, kbPath, runDir, logger: ctx.logger, signal: ctx.signal, onProgress: (p) => reflectProgress(plain, p),
          ...(fill ? { fillRound: roundFiller(fill, { dataset: ds, config: ctx.config }) } : {}),
          ...(paidAhead ? { paidAhead: paidAhead.unreadAnswers() } : {}),
        });
      });
      ctx.logger.log('info', `reflection stopped (${s.stopReason}): ${s.accepted} accepted of ${s.proposed} proposed; KB holds ${s.kbSize} enabled hints`);
      return { accepted: s.accepted, stopReason: s.stopReason };
    },
    async train(ctx, kbPath, resumeRunDir) {
      ctx = batchAware(ctx);
      const { timestampedRunName } = await import('../../core/run/paths');
      const runDir = resumeRunDir ?? join(ctx.config.output.runsDir, timestampedRunName('train'));
      ctx.onProgress({ runDir, total: ctx.config.agent.steps, message: resumeRunDir ? 'Resuming from the last checkpoint…' : 'Starting the worker…' });
      const [train, { withStageLock }, { readStageKb }, { asksAheadOnline }] = await Promise.all([
        trainer(ctx), import('../../core/run/stageLock'), import('../../core/run/reflectStage'), import('../../core/run/stagePlans'),
      ]);
      // The reward table filled here first (batch, or ahead online where that pays): the worker
      // then reads it from the cache. Skipped without loading anything when neither applies.
      let paidAhead: PaidAnswer[] = [];
      if (ctx.config.llm.executor === 'batch' || asksAheadOnline('train', ctx.config)) {
        const ds = await dataset(ctx);
        paidAhead = (await fillFirst(ctx, 'train', { dataset: ds, client: await clientFor(ctx), kb: await readStageKb(kbPath, ds, ctx.config.reflection.maxHintChars) })).paidAhead?.unreadAnswers() ?? [];
      }
      // The worker writes the run folder of the contract (src/protocol/runFolder.ts), summary.json included.
      const s = await withStageLock(runDir, { stage: 'train', logger: ctx.logger }, () =>
        train(ctx.config, { runDir, resume: !!resumeRunDir, kbPath, baseDir: ctx.resolved.baseDir, packageVersion: PACKAGE_VERSION, ...(paidAhead.length ? { paidAhead } : {}) },
          // Batch lines are added by batchAware; answers asked ahead online by this count.
          (p) => trainPoint(ctx, p, ctx.config.llm.executor === 'batch' ? 0 : paidAhead.length)));
      if (s.cancelled) throw new Error(`training stopped at step ${s.steps}; the last checkpoint is kept (${s.lastCheckpoint ?? runDir})`);
      return { runDir: s.runDir };
    },
    async evaluate(ctx, kbPath, agentRunDir) {
      ctx = batchAware(ctx);
      const [{ evaluateStage }, { reportStage }, { readStageKb }, { timestampedRunName }] = await Promise.all([
        import('../../core/run/evaluateStage'), import('../../core/run/reportStage'), import('../../core/run/reflectStage'), import('../../core/run/paths'),
      ]);
      const ds = await dataset(ctx);
      const client = await clientFor(ctx);
      const kb = await readStageKb(kbPath, ds, ctx.config.reflection.maxHintChars);
      // Every condition's answers asked first (online at the concurrency limit, or as a batch).
      const { fill, paidAhead } = await fillFirst(ctx, 'evaluate', { dataset: ds, client, kb, agent: !!agentRunDir });
      const sc: StageContext = {
        ...stageContext(ctx),
        onEvent: (e) => {
          if (e.kind === 'progress' && e.stage === 'evaluate') {
            const p = e.progress;
            ctx.onProgress({ message: `${p.condition}: ${p.phase === 'fit' ? 'choosing the best fixed hint' : `${p.done}/${p.total} sessions`}`, done: p.done, total: p.total, calls: p.usage.calls, cost: p.usage.cost });
          }
        },
      };
      // The one evaluate use case: an agent trained on another KB or dataset is refused by the core, naming what differs.
      const { runDir } = await evaluateStage(sc, {
        dataset: ds, client, kb, kbPath, runDir: join(ctx.config.output.runsDir, timestampedRunName('eval')),
        ...(agentRunDir ? { agent: { runDir: agentRunDir } } : {}),
        // llm.executor=batch: the hints best-fixed-hint and the agent choose go in one more batch.
        ...(fill ? { fill } : {}),
        // Online: each answer asked ahead is charged to the condition that reads it first.
        ...(paidAhead ? { paidAhead } : {}),
      });
      await reportStage(sc, { evalDir: runDir }).catch((err: Error) => ctx.logger.log('warn', `report not written: ${err.message}`));
      return { runDir };
    },
    async runExperiment(ctx) {
      ctx = batchAware(ctx);
      const [{ runExperiment }, fill] = await Promise.all([import('../../core/run/runExperiment'), batchFiller(ctx)]);
      const s = await runExperiment({
        resolved: ctx.resolved,
        trainer: await trainer(ctx),
        packageVersion: PACKAGE_VERSION,
        logger: ctx.logger,
        signal: ctx.signal,
        apiKey: ctx.apiKey,
        ...(fill ? { fill } : {}),
        onEvent: (e) => {
          if (e.kind === 'progress') {
            if (e.stage === 'reflect') reflectProgress(ctx, e.progress);
            else if (e.stage === 'train') trainPoint(ctx, e.progress);
            else ctx.onProgress({ message: `evaluate ${e.progress.condition}: ${e.progress.done}/${e.progress.total}`, done: e.progress.done, total: e.progress.total, calls: e.progress.usage.calls, cost: e.progress.usage.cost });
          } else if (e.kind === 'fill') fillProgress(ctx, e.stage, e.done, e.total, e.usage);
          else {
            ctx.onProgress({ message: `${e.stage}: ${e.kind === 'done' ? `done in ${e.seconds.toFixed(1)} s` : e.kind === 'skip' ? `skipped (${e.detail})` : e.detail}` });
            ctx.logger.log('info', `pipeline ${e.stage} ${e.kind}: ${e.detail}`);
          }
        },
      });
      if (!s.evaluation) throw new Error('the pipeline finished without an evaluation (the KB has no enabled hints?)');
      return { runDir: s.evaluation.runDir };
    },
    async tryHint(ctx, hintText, n) {
      const { tryHint } = await import('../../core/run/tryHint');
      const [ds, client] = await Promise.all([dataset(ctx), clientFor(ctx)]);
      return tryHint({
        dataset: ds, client, config: ctx.config, hintText, sessions: n, signal: ctx.signal,
        onProgress: (p) => ctx.onProgress({ done: p.done, total: p.total, message: `session ${p.done}/${p.total}`, calls: p.usage.calls, cost: p.usage.cost }),
      });
    },
  };
}
