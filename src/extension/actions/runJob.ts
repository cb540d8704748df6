/**
 * What every job shares: `prepareJob` (trust, dataset, config with the sidebar's parameters, LLM
 * access), `withEndpoint` (the job's endpoint: the simulator started and closed around it when
 * chosen) and `runJob` (the job in the sidebar, a cancellable progress notification, the
 * status-bar item while it trains, the key redacted from everything it reports).
 */
import type { ConfigLayer } from '../../core/config/resolve';
import type { JobKind, SidebarDataset, SidebarParams } from '../../protocol/webview';
import type { JobContext, JobProgress } from '../coreAdapter/api';
import { redact } from '../host/apiKey';
import type { WorkspaceConfig } from '../host/config';
import type { JobHandle } from '../host/jobs';
import type { Studio } from '../host/studio';
import { requireTrust } from '../host/trust';
import { SIMULATED_API_KEY, startSimulatedEndpoint, type LlmAccess } from './llmAccess';

export interface PreparedJob {
  title: string;
  dataset: SidebarDataset;
  /** Layers over the dataset's config: the sidebar's parameters, then the caller's. */
  layers: ConfigLayer[];
  wc: WorkspaceConfig;
  kbPath: string;
  access: LlmAccess;
}

/**
 * Config and LLM access for a job on the selected dataset, or undefined after telling the user
 * why not. The sidebar's changed parameters apply to every start (sidebar button, palette,
 * a notification's button), since the sidebar shows them as the current values.
 */
export async function prepareJob(s: Studio, title: string, params?: Partial<SidebarParams>, extra: ConfigLayer[] = []): Promise<PreparedJob | undefined> {
  if (!(await requireTrust(s.vs, title))) return undefined;
  await s.ensureDatasets();
  const dataset = s.selectedDataset();
  if (!dataset) {
    void s.vs.ui.warn('Re2LLM: no dataset found in the workspace. Open or import one, or run "Re2LLM: Start Demo".');
    return undefined;
  }
  const layers = [s.paramsLayer(params ?? s.changedParams()), ...extra];
  let wc: WorkspaceConfig;
  try {
    wc = s.configFor(dataset, layers);
  } catch (err) {
    void s.vs.ui.error(`Re2LLM: ${(err as Error).message}`);
    return undefined;
  }
  const access = await s.llmAccess(title, wc.resolved.config);
  if (!access) return undefined;
  return { title, dataset, layers, wc, kbPath: s.kbPathFor(wc), access };
}

/** The endpoint a prepared job runs against, for the time of `body`. */
export interface JobEndpoint {
  wc: WorkspaceConfig;
  apiKey: string;
  /** The job's config with more layers on top (keeps the simulator's endpoint). */
  configWith(extra: ConfigLayer[]): WorkspaceConfig;
}

export async function withEndpoint<T>(s: Studio, p: PreparedJob, h: JobHandle, body: (ep: JobEndpoint) => Promise<T>): Promise<T> {
  if (p.access.kind !== 'simulated') {
    const apiKey = p.access.kind === 'key' ? p.access.apiKey : '';
    return body({ wc: p.wc, apiKey, configWith: (extra) => s.configFor(p.dataset, [...p.layers, ...extra]) });
  }
  h.progress({ message: 'Starting the simulated LLM…' });
  const ds = await s.core.loadDataset(p.wc.resolved.config, s.logger());
  const sim = await startSimulatedEndpoint(s.core, ds, 'simulated LLM (Select Endpoint/Model)');
  s.vs.log.info(`${p.title}: simulated LLM on ${sim.baseUrl}`);
  try {
    const configWith = (extra: ConfigLayer[]) => s.configFor(p.dataset, [...p.layers, sim.layer, ...extra]);
    return await body({ wc: configWith([]), apiKey: SIMULATED_API_KEY, configWith });
  } finally {
    await sim.close();
  }
}

export type ContextFactory = (resolved: JobContext['resolved'], apiKey: string) => JobContext;

export interface JobSpec {
  kind: JobKind;
  label: string;
  /** Also show a cancellable progress notification (training shows the status bar instead). */
  progress: boolean;
  datasetId?: string;
  runDir?: string;
}

/** Runs `body` as a job; resolves once it started (no progress) or finished (with progress). */
export function runJob(s: Studio, spec: JobSpec, body: (h: JobHandle, ctx: ContextFactory) => Promise<string | void>): Promise<void> {
  const { label } = spec;
  // The key is redacted from everything a job reports (log lines, progress, error messages).
  let key: string | undefined;
  let training = false;
  const makeCtx = (h: JobHandle): ContextFactory => (resolved, apiKey) => {
    key = apiKey;
    return {
      resolved,
      config: resolved.config,
      apiKey,
      logger: s.logger(apiKey),
      signal: h.signal as JobContext['signal'],
      onProgress: (p: JobProgress) => {
        h.progress(p.message === undefined ? p : { ...p, message: redact(p.message, apiKey) });
        // Any job that trains (Train, Full run, Demo) shows the status-bar item while it does.
        if (p.point) {
          training = true;
          const j = s.jobs.get(h.id);
          s.vs.ui.statusBar(`$(sync~spin) Re2LLM: training ${p.point.step}/${j?.total ?? '?'} · reward ${p.point.meanReward.toFixed(3)}`, `${label} — click to stop`, 're2llm.stopTraining');
        }
      },
    };
  };
  const started = s.jobs.start(spec.kind, label, async (h) => {
    try {
      const message = await body(h, makeCtx(h));
      return message ? redact(message, key) : message;
    } catch (err) {
      throw new Error(redact((err as Error)?.message ?? String(err), key));
    } finally {
      if (training) s.vs.ui.statusBar(undefined);
    }
  }, { datasetId: spec.datasetId, runDir: spec.runDir });
  s.vs.log.info(`job ${started.id} started: ${label}`);
  const report = (j: { status: string; message: string }) => {
    s.vs.log.info(`job ${started.id} ${j.status}: ${j.message}`);
    if (j.status === 'failed') void s.vs.ui.error(`Re2LLM: ${label} failed: ${j.message}`, 'Show Log').then((c) => c && s.vs.log.show());
  };
  if (!spec.progress) {
    void started.finished.then(report);
    return Promise.resolve();
  }
  return s.vs.ui.withProgress(`Re2LLM: ${label}`, async (reportProgress, signal) => {
    signal.addEventListener('abort', () => s.jobs.cancel(started.id));
    let last = 0;
    const timer = setInterval(() => {
      const j = s.jobs.get(started.id);
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
