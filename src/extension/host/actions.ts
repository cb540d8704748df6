/**
 * The palette commands and sidebar buttons that start or steer jobs. Each one: resolve the config
 * for the selected dataset, pass the trust/key gates, run the core function as a job (live state
 * in the sidebar, cancellable), and tell the user where the result is.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ConfigLayer } from '../../core/config/resolve';
import { isEnabled } from '../../core/kb/types';
import type { JobKind, SidebarAction, SidebarCommand, SidebarParams } from '../../protocol/webview';
import type { JobContext, JobProgress } from '../core/api';
import { redact } from './apiKey';
import type { JobHandle } from './jobs';
import { readResults } from './runs';
import type { Studio } from './studio';
import { requireTrust } from './trust';
import { describeMerge, reflectIntoKb } from './reflectRun';
import { hasStaged, stagingFor } from '../kb/staging';
import { pickAgentRun } from './agentRun';
import { simEndpointId } from '../../core/sim/identity';
import { DEMO_SETTINGS, DEMO_SIM_SEED } from '../../core/run/demo';

export const TRY_HINT_SESSIONS = 20;
export const DEMO_API_KEY = 'sk-simulated-demo';


const TITLES: Record<SidebarAction, string> = { reflect: 'Build Hint KB (Reflect)', train: 'Train Retrieval Agent', evaluate: 'Evaluate', run: 'Run Full Pipeline' };

export class Actions {
  constructor(private readonly s: Studio) {
    s.onSidebarCommand = (cmd) => this.sidebarCommand(cmd);
  }

  private async sidebarCommand(cmd: SidebarCommand): Promise<void> {
    switch (cmd.type) {
      case 'sidebar/start':
        // The studio stored what the user changed; the job gets those over the current config.
        await this.start(cmd.action, this.s.changedParams());
        return;
      case 'sidebar/cancelJob':
        this.s.jobs.cancel(cmd.jobId);
        return;
      case 'sidebar/resumeJob':
        await this.resume(cmd.jobId);
        return;
      case 'sidebar/openRun':
        await this.openResults(cmd.runId);
        return;
      default:
        return;
    }
  }

  start(action: SidebarAction, params?: Partial<SidebarParams>): Promise<void> {
    switch (action) {
      case 'reflect':
        return this.reflect(params);
      case 'train':
        return this.train(params);
      case 'evaluate':
        return this.evaluate(params);
      case 'run':
        return this.runPipeline(params);
    }
  }

  /** Config + key for a job on the selected dataset, or undefined after telling the user why not. */
  private async prepare(action: SidebarAction | 'tryHint', params?: Partial<SidebarParams>, extra: ConfigLayer[] = []) {
    const title = action === 'tryHint' ? 'Try hint' : TITLES[action];
    if (!(await requireTrust(this.s.vs, title))) return undefined;
    await this.s.ensureDatasets();
    const dataset = this.s.selectedDataset();
    if (!dataset) {
      void this.s.vs.ui.warn('Re2LLM: no dataset found in the workspace. Open or import one, or run "Re2LLM: Start Demo".');
      return undefined;
    }
    let wc;
    let layers: ConfigLayer[] = extra;
    try {
      layers = params ? [this.s.paramsLayer(params), ...extra] : extra;
      wc = this.s.configFor(dataset, layers);
    } catch (err) {
      void this.s.vs.ui.error(`Re2LLM: ${(err as Error).message}`);
      return undefined;
    }
    const apiKey = await this.s.gateLlm(title, wc.resolved.config);
    if (!apiKey) return undefined;
    return { dataset, wc, layers, config: wc.resolved.config, apiKey, kbPath: this.s.kbPathFor(wc) };
  }

  /** Runs `body` as a job; with `progress`, also in a cancellable progress notification. */
  private runJob(kind: JobKind, label: string, progress: boolean, body: (h: JobHandle, ctx: (resolved: JobContext['resolved'], apiKey: string) => JobContext) => Promise<string | void>, opts: { datasetId?: string; runDir?: string } = {}): Promise<void> {
    // The key is redacted from everything a job reports (log lines, progress, error messages).
    let key: string | undefined;
    const makeCtx = (h: JobHandle) => (resolved: JobContext['resolved'], apiKey: string): JobContext => {
      key = apiKey;
      return {
        resolved,
        config: resolved.config,
        apiKey,
        logger: this.s.logger(apiKey),
        signal: h.signal as JobContext['signal'],
        onProgress: (p: JobProgress) => {
          h.progress(p.message === undefined ? p : { ...p, message: redact(p.message, apiKey) });
          // Any job that trains (Train, Full run, Demo) shows the status-bar item while it does.
          if (p.point) {
            training = true;
            const j = this.s.jobs.get(h.id);
            this.s.vs.ui.statusBar(`$(sync~spin) Re2LLM: training ${p.point.step}/${j?.total ?? '?'} · reward ${p.point.meanReward.toFixed(3)}`, `${label} — click to stop`, 're2llm.stopTraining');
          }
        },
      };
    };
    let training = false;
    const started = this.s.jobs.start(kind, label, async (h) => {
      try {
        const message = await body(h, makeCtx(h));
        return message ? redact(message, key) : message;
      } catch (err) {
        throw new Error(redact((err as Error)?.message ?? String(err), key));
      } finally {
        if (training) this.s.vs.ui.statusBar(undefined);
      }
    }, opts);
    this.s.vs.log.info(`job ${started.id} started: ${label}`);
    const report = (j: { status: string; message: string }) => {
      this.s.vs.log.info(`job ${started.id} ${j.status}: ${j.message}`);
      if (j.status === 'failed') void this.s.vs.ui.error(`Re2LLM: ${label} failed: ${j.message}`, 'Show Log').then((c) => c && this.s.vs.log.show());
    };
    if (!progress) {
      void started.finished.then(report);
      return Promise.resolve();
    }
    return this.s.vs.ui.withProgress(`Re2LLM: ${label}`, async (reportProgress, signal) => {
      signal.addEventListener('abort', () => this.s.jobs.cancel(started.id));
      let last = 0;
      const timer = setInterval(() => {
        const j = this.s.jobs.get(started.id);
        if (!j) return;
        const pct = j.total ? Math.floor((100 * (j.done ?? 0)) / j.total) : undefined;
        reportProgress({ message: j.message, increment: pct !== undefined && pct > last ? pct - last : undefined });
        if (pct !== undefined) last = Math.max(last, pct);
      }, 250);
      try {
        report(await started.finished);
      } finally {
        clearInterval(timer);
      }
    });
  }

  async reflect(params?: Partial<SidebarParams>): Promise<void> {
    const p = await this.prepare('reflect', params);
    if (!p) return;
    const { kbPath } = p;
    await this.runJob('reflect', `Reflect on ${p.dataset.label}`, true, async (h, ctx) => {
      // Reflection writes a staging copy; the result is merged into the user's KB afterwards, so
      // an open KB with unsaved edits is never overwritten (see kb/staging.ts, kb/mergeIntoKb.ts).
      const r = await reflectIntoKb(this.s.vs.workspace, this.s.core, ctx(p.wc.resolved, p.apiKey), kbPath);
      void this.s.refresh();
      if (r.status === 'blocked') {
        void this.s.vs.ui.warn(`Re2LLM: reflection not started: ${r.reason}.`);
        return `not started: ${r.reason}`;
      }
      if (r.out.where === 'staged') {
        void this.s.vs.ui.warn(`Re2LLM: ${r.accepted} hints accepted; the new ones are ${describeMerge(r.out, r.staging)}. They are merged before the next reflection starts.`);
        return `${r.accepted} hints accepted; kept in staging (${r.out.reason})`;
      }
      const where = r.out.where === 'buffer' ? 'merged into the open editor (unsaved: save to keep them)' : 'written';
      void this.s.vs.ui.info(`Re2LLM: ${r.accepted} hints accepted, KB ${where}: ${r.out.hints} hints.`, 'Open Hint KB').then((c) => { if (c) void this.s.vs.ui.openFile(kbPath); });
      h.progress({ message: `${r.accepted} hints accepted` });
      return `${r.accepted} hints accepted; KB ${where}`;
    }, { datasetId: p.dataset.id });
  }

  async train(params?: Partial<SidebarParams>, resumeRunDir?: string): Promise<void> {
    if (this.s.jobs.running('train').length) {
      void this.s.vs.ui.warn('Re2LLM: a training run is already in progress (Stop Training first).');
      return;
    }
    const p = await this.prepare('train', params);
    if (!p) return;
    const ui = this.s.vs.ui;
    await this.runJob('train', `${resumeRunDir ? 'Resume training' : 'Train agent'} on ${p.dataset.label}`, false, async (h, ctx) => {
      ui.statusBar('$(sync~spin) Re2LLM: training…', 'Re2LLM training — click to stop', 're2llm.stopTraining');
      let runId = '';
      const c = ctx(p.wc.resolved, p.apiKey);
      const onProgress = c.onProgress;
      c.onProgress = (ev) => {
        onProgress(ev);
        const j = this.s.jobs.get(h.id);
        if (ev.runDir) runId = basename(ev.runDir);
        if (j && ev.point && j.curve) this.s.results?.trainingCurve(runId || h.id, j.curve);
      };
      try {
        const r = await this.s.core.train(c, p.kbPath, resumeRunDir);
        void ui.info(`Re2LLM: training finished (${basename(r.runDir)}).`, 'Evaluate').then((x) => x && ui.executeCommand('re2llm.evaluate'));
        return `trained: ${basename(r.runDir)}`;
      } finally {
        ui.statusBar(undefined);
        void this.s.refresh();
      }
    }, { datasetId: p.dataset.id, runDir: resumeRunDir });
  }

  stopTraining(): void {
    const running = this.s.jobs.running('train');
    if (!running.length) {
      void this.s.vs.ui.info('Re2LLM: no training is running.');
      return;
    }
    for (const j of running) this.s.jobs.cancel(j.id);
  }

  async resume(jobId: string): Promise<void> {
    const j = this.s.jobs.get(jobId);
    if (!j?.resumable || !j.runDir) return;
    if (j.datasetId && this.s.datasets.some((d) => d.id === j.datasetId)) await this.s.selectDataset(j.datasetId);
    this.s.jobs.forget(jobId);
    await this.train(undefined, j.runDir);
  }

  async evaluate(params?: Partial<SidebarParams>): Promise<void> {
    const p = await this.prepare('evaluate', params);
    if (!p) return;
    await this.runJob('evaluate', `Evaluate ${p.dataset.label}`, true, async (h, ctx) => {
      const c = ctx(p.wc.resolved, p.apiKey);
      h.progress({ message: 'Choosing the trained agent…' });
      const agent = await this.agentFor(c, p.kbPath);
      const r = await this.s.core.evaluate(c, p.kbPath, agent);
      void this.s.refresh();
      await this.s.results?.showRuns([r.runDir]);
      return `results: ${basename(r.runDir)}`;
    }, { datasetId: p.dataset.id });
  }

  /**
   * The agent run Evaluate uses: the newest finished training on this dataset and KB (agentRun.ts).
   * Without one, the evaluation runs without the agent condition and the user is told why.
   */
  private async agentFor(c: JobContext, kbPath: string): Promise<string | undefined> {
    const runs = await this.s.runs(c.config);
    const why = (reason: string): undefined => {
      if (c.config.evaluation.conditions.includes('agent')) void this.s.vs.ui.warn(`Re2LLM: evaluating without the agent: ${reason}.`);
      c.logger.log('warn', `evaluate: no agent condition: ${reason}`);
      return undefined;
    };
    if (!runs.some((r) => r.trained)) return why('no trained agent in the runs folder (run Train Retrieval Agent first)');
    const kb = (await this.s.readKb(kbPath))?.kb;
    if (!kb) return why(`${basename(kbPath)} is missing or not a valid KB`);
    const ds = await this.s.core.loadDataset(c.config, c.logger);
    const running = this.s.jobs.running().map((j) => j.runDir).filter((d): d is string => !!d);
    const pick = await pickAgentRun(runs, { datasetHash: ds.hash, kbFingerprint: await this.s.core.kbFingerprint(kb) }, running);
    if (!pick.run) return why(pick.reason);
    c.logger.log('info', `evaluate: agent from ${pick.run.dir}`);
    return pick.run.dir;
  }

  /**
   * A KB with unsaved edits at the start: the pipeline's hints would land in the buffer and the
   * training would use the file on disk without them, so ask for a save first. (Edits made while
   * it runs are safe: every KB write goes through the staging merge, see pipelineReflect.)
   */
  private kbDirty(kbPath: string, action: string): boolean {
    if (!this.s.vs.workspace.openDocument(kbPath)?.isDirty) return false;
    void this.s.vs.ui.warn(`Re2LLM: ${basename(kbPath)} has unsaved edits. Save it before ${action}: the pipeline may add hints to it, and never writes under unsaved edits.`);
    return true;
  }

  /**
   * The pipeline's reflection stage, run as Reflect runs it (staging copy, then a merge into the
   * open buffer or the disk, checked when it writes), so the core's pipeline never writes the KB:
   * its own reflection is skipped by capping `reflection.targetHints` at what the KB holds.
   * Returns the extra config layer for the pipeline, or why it stops after reflection.
   */
  private async pipelineReflect(c: JobContext, kbPath: string): Promise<{ layers: ConfigLayer[]; stop?: string }> {
    const enabledOnDisk = async (): Promise<number> => {
      const read = await this.s.readKb(kbPath);
      if (read && !read.kb) throw new Error(`${kbPath} is not a valid KB; fix it (Re2LLM: Validate Hint KB) and run again`);
      return read?.kb?.hints.filter(isEnabled).length ?? 0;
    };
    const target = c.config.reflection.targetHints;
    if ((await hasStaged(stagingFor(c.config.output.runsDir, kbPath))) || (await enabledOnDisk()) < target) {
      const r = await reflectIntoKb(this.s.vs.workspace, this.s.core, c, kbPath);
      void this.s.refresh();
      if (r.status === 'blocked') {
        void this.s.vs.ui.warn(`Re2LLM: pipeline not started: ${r.reason}.`);
        return { layers: [], stop: `not started: ${r.reason}` };
      }
      if (c.signal.aborted) throw new Error('cancelled during reflection');
      if (r.out.where !== 'disk') {
        const msg = `reflection: ${r.accepted} hints accepted, ${describeMerge(r.out, r.staging)}. Save the KB, then run again to train and evaluate with them.`;
        void this.s.vs.ui.warn(`Re2LLM: ${msg}`, 'Open Hint KB').then((x) => { if (x) void this.s.vs.ui.openFile(kbPath); });
        return { layers: [], stop: `stopped after ${msg}` };
      }
    }
    const n = await enabledOnDisk();
    if (n >= target) return { layers: [] };
    if (n === 0) {
      // The core's pipeline would reflect again (its target is at least 1) and write the KB itself.
      const msg = `${basename(kbPath)} has no enabled hints after reflection: nothing to train. Run Reflect with a larger budget, or add hints by hand.`;
      void this.s.vs.ui.warn(`Re2LLM: ${msg}`);
      return { layers: [], stop: `stopped: ${msg}` };
    }
    c.logger.log('info', `pipeline: reflection stopped at ${n} of ${target} hints; training and evaluation use those`);
    return { layers: [{ source: 'pipeline (reflection already run by the extension)', values: { 'reflection.targetHints': n } }] };
  }

  async runPipeline(params?: Partial<SidebarParams>): Promise<void> {
    const p = await this.prepare('run', params);
    if (!p || this.kbDirty(p.kbPath, 'Run Full Pipeline')) return;
    await this.runJob('run', `Full pipeline on ${p.dataset.label}`, true, async (_h, ctx) => {
      const pre = await this.pipelineReflect(ctx(p.wc.resolved, p.apiKey), p.kbPath);
      if (pre.stop) return pre.stop;
      const wc = pre.layers.length ? this.s.configFor(p.dataset, [...p.layers, ...pre.layers]) : p.wc;
      const r = await this.s.core.runExperiment(ctx(wc.resolved, p.apiKey));
      void this.s.refresh();
      await this.s.results?.showRuns([r.runDir]);
      return `results: ${basename(r.runDir)}`;
    }, { datasetId: p.dataset.id });
  }

  /** The whole pipeline on the bundled example against the in-process simulated LLM: no key needed. */
  async startDemo(): Promise<void> {
    if (!(await requireTrust(this.s.vs, 'Start Demo'))) return;
    const example = this.s.exampleDir();
    if (!existsSync(example)) {
      void this.s.vs.ui.error(`Re2LLM: the bundled example is missing (${example}).`);
      return;
    }
    const id = this.s.datasets.find((d) => d.kind === 'example')?.id ?? example;
    await this.s.vs.workspaceState.update('re2llm.selectedDataset', id);
    const dataset = { id: example, label: 'hetrec-mini (bundled example)', path: 'examples/hetrec-mini', kind: 'example' as const };
    await this.runJob('demo', 'Demo on hetrec-mini (simulated LLM)', true, async (h, ctx) => {
      const scale: ConfigLayer = { source: 'demo scale', values: DEMO_SETTINGS };
      const wc = this.s.configFor(dataset, [scale]);
      if (this.kbDirty(this.s.kbPathFor(wc), 'Start Demo')) return 'not started: the demo KB has unsaved edits';
      h.progress({ message: 'Loading the example dataset…' });
      const ds = await this.s.core.loadDataset(wc.resolved.config, this.s.logger());
      const seed = DEMO_SIM_SEED;
      const sim = await this.s.core.startSimulator(ds, seed);
      this.s.vs.log.info(`demo: simulated LLM on ${sim.baseUrl}`);
      try {
        // The simulator's port changes every run; a stable endpoint id keeps the response cache warm.
        const simLayer: ConfigLayer = { source: 'demo (simulated LLM)', values: { 'llm.baseUrl': sim.baseUrl, 'llm.model': 'sim-llm', 'llm.endpointId': simEndpointId(ds.hash, seed) } };
        const demo = this.s.configFor(dataset, [scale, simLayer]);
        const kbPath = this.s.kbPathFor(demo);
        const pre = await this.pipelineReflect(ctx(demo.resolved, DEMO_API_KEY), kbPath);
        if (pre.stop) return pre.stop;
        const wcRun = pre.layers.length ? this.s.configFor(dataset, [scale, simLayer, ...pre.layers]) : demo;
        const r = await this.s.core.runExperiment(ctx(wcRun.resolved, DEMO_API_KEY));
        void this.s.refresh();
        await this.s.results?.showRuns([r.runDir]);
        return `demo results: ${basename(r.runDir)}`;
      } finally {
        await sim.close();
      }
    }, { datasetId: id });
  }

  async tryHint(kbPath: string, hintId: string): Promise<void> {
    const p = await this.prepare('tryHint');
    if (!p) return;
    const read = await this.s.readKb(kbPath, true);
    const hint = read?.kb?.hints.find((h) => h.id === hintId);
    if (!hint) {
      void this.s.vs.ui.error(`Re2LLM: hint ${hintId} not found in ${basename(kbPath)} (does the file parse?).`);
      return;
    }
    await this.runJob('tryHint', `Try hint ${hintId}`, true, async (_h, ctx) => {
      const r = await this.s.core.tryHint(ctx(p.wc.resolved, p.apiKey), hint.text, TRY_HINT_SESSIONS);
      const msg = `hint ${hintId} on ${r.sessions} validation sessions: target rank improved on ${r.improved}, worse on ${r.worsened}, mean reward ${r.meanReward >= 0 ? '+' : ''}${r.meanReward.toFixed(3)}${isEnabled(hint) ? '' : ' (hint is disabled)'}`;
      void this.s.vs.ui.info(`Re2LLM: ${msg}`);
      return msg;
    }, { datasetId: p.dataset.id });
  }

  /** Opens one run (by id, or the newest with results, or a pick). */
  async openResults(runId?: string): Promise<void> {
    const runs = (await this.s.runs()).filter((r) => r.hasResults);
    if (!runs.length) {
      void this.s.vs.ui.info('Re2LLM: no results yet. Run Evaluate, Run Full Pipeline or Start Demo first.');
      return;
    }
    const run = runId ? runs.find((r) => r.id === runId) : runs.length === 1 ? runs[0] : (await this.s.vs.ui.pick(runs.map((r) => ({ label: r.label, description: r.id, detail: r.notes, run: r })), { title: 'Re2LLM: Open Results' }))?.run;
    if (!run) return;
    await this.s.results?.showRuns([run.dir]);
  }

  async compareRuns(): Promise<void> {
    const runs = (await this.s.runs()).filter((r) => r.hasResults);
    if (runs.length < 2) {
      void this.s.vs.ui.info('Re2LLM: comparing needs at least two runs with results.');
      return;
    }
    const picked = await this.s.vs.ui.pickMany(runs.map((r) => ({ label: r.label, description: r.id, detail: r.notes, run: r })), { title: 'Re2LLM: Compare Runs (the first picked is the reference)' });
    if (!picked || picked.length < 2) return;
    await this.s.results?.showRuns(picked.map((p) => p.run.dir));
  }

  async exportResults(runId?: string, format?: 'csv' | 'latex' | 'json'): Promise<void> {
    const runs = (await this.s.runs()).filter((r) => r.hasResults);
    const run = runId ? runs.find((r) => r.id === runId) : (await this.s.vs.ui.pick(runs.map((r) => ({ label: r.label, description: r.id, run: r })), { title: 'Re2LLM: Export Results — run' }))?.run;
    if (!run) return;
    const fmt = format ?? (await this.s.vs.ui.pick([{ label: 'csv' as const }, { label: 'latex' as const }, { label: 'json' as const }], { title: 'Re2LLM: Export Results — format' }))?.label;
    if (!fmt) return;
    const ext = fmt === 'latex' ? 'tex' : fmt;
    const out = await this.s.vs.ui.saveDialog(join(run.dir, `metrics.${ext}`), { [fmt.toUpperCase()]: [ext] });
    if (!out) return;
    if (!(await readResults(run.dir))) return;
    const written = await this.s.core.exportResults(run.dir, fmt, out);
    void this.s.vs.ui.info(`Re2LLM: exported ${basename(written)}.`, 'Open').then((c) => { if (c) void this.s.vs.ui.openFile(written); });
  }
}
