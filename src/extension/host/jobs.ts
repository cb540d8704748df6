/**
 * Running jobs (reflection, training, evaluation, pipeline): their live state for the sidebar,
 * cancellation, and persistence across a window reload. A job still marked running in
 * workspaceState when the extension starts was cut off by the reload: it shows as interrupted,
 * and a training job offers Resume (the worker keeps its last checkpoint in the run folder). A
 * training the user stopped stays "stopped" across a reload; every card names its run and step.
 */
import { basename } from 'node:path';
import type { JobKind, SidebarJob } from '../../protocol/webview';
import type { JobProgress } from '../coreAdapter/api';
import type { Memento } from '../vscode/types';
import { runController } from '../../core/util/abort';

export const RUNNING_JOBS_KEY = 're2llm.runningJobs';
const KEEP_FINISHED = 5;

/** What survives a reload: enough to show the job and resume it. */
export interface PersistedJob {
  id: string;
  kind: JobKind;
  label: string;
  runDir?: string;
  datasetId?: string;
  startedAt: number;
  /** 'stopped': the user stopped it (Resume continues); absent: it was running when the window went. */
  status?: 'stopped';
  /** Last step (or session) reached, and the planned total. */
  done?: number;
  total?: number;
}

/** Why a job was cancelled: by the user, or by the window closing or reloading (deactivate). */
export type CancelReason = 'stopped' | 'reload';

const PERSIST_PROGRESS_MS = 2000;

function atStep(done: number | undefined, total: number | undefined): string {
  return done === undefined ? '' : ` at step ${done}${total ? `/${total}` : ''}`;
}

export interface JobHandle {
  readonly id: string;
  readonly signal: AbortSignal;
  progress(p: JobProgress): void;
}

interface Entry {
  view: SidebarJob;
  abort?: AbortController;
  persisted?: PersistedJob;
  done?: Promise<void>;
  cancelReason?: CancelReason;
}

export class JobManager {
  private readonly entries = new Map<string, Entry>();
  private seq = 0;
  private lastProgressPersist = 0;

  constructor(
    private readonly state: Memento,
    private readonly onChange: () => void,
    private readonly now: () => number = Date.now,
  ) {
    for (const p of state.get<PersistedJob[]>(RUNNING_JOBS_KEY) ?? []) {
      const resumable = p.kind === 'train' && !!p.runDir;
      const resume = resumable ? ' Resume continues from the last checkpoint.' : '';
      const stopped = p.status === 'stopped';
      this.entries.set(p.id, {
        persisted: p,
        view: {
          id: p.id,
          kind: p.kind,
          label: p.label,
          status: stopped ? 'cancelled' : 'interrupted',
          message: `${stopped ? 'Stopped' : 'Interrupted by a window reload'}${atStep(p.done, p.total)}.${resume}`,
          ...(p.runDir ? { runDir: p.runDir, runId: basename(p.runDir) } : {}),
          ...(p.done !== undefined ? { done: p.done } : {}),
          ...(p.total !== undefined ? { total: p.total } : {}),
          resumable,
        },
      });
    }
  }

  snapshot(): SidebarJob[] {
    return [...this.entries.values()].map((e) => structuredClone(e.view)).reverse();
  }

  get(id: string): (SidebarJob & { datasetId?: string }) | undefined {
    const e = this.entries.get(id);
    return e ? { ...structuredClone(e.view), datasetId: e.persisted?.datasetId } : undefined;
  }

  running(kind?: JobKind): SidebarJob[] {
    return this.snapshot().filter((j) => j.status === 'running' && (!kind || j.kind === kind));
  }

  /**
   * Starts a job. `run` gets a handle (signal, progress) and resolves when the job ends; a
   * rejection marks it failed (or cancelled when the signal fired). Returns the job id and a
   * promise that settles when it finishes (never rejects).
   */
  start(kind: JobKind, label: string, run: (h: JobHandle) => Promise<string | void>, opts: { datasetId?: string; runDir?: string } = {}): { id: string; finished: Promise<SidebarJob> } {
    const id = `${kind}-${this.now().toString(36)}-${++this.seq}`;
    const abort = runController();
    const persisted: PersistedJob = { id, kind, label, datasetId: opts.datasetId, runDir: opts.runDir, startedAt: this.now() };
    const entry: Entry = { abort, persisted, view: { id, kind, label, status: 'running', message: 'Starting…', ...(opts.runDir ? { runDir: opts.runDir, runId: basename(opts.runDir) } : {}) } };
    this.entries.set(id, entry);
    void this.persist();
    this.onChange();
    const handle: JobHandle = {
      id,
      signal: abort.signal,
      progress: (p) => this.apply(entry, p),
    };
    const finished = (async (): Promise<SidebarJob> => {
      try {
        const message = await run(handle);
        entry.view.status = abort.signal.aborted ? 'cancelled' : 'done';
        entry.view.message = abort.signal.aborted ? 'Cancelled.' : message || 'Done.';
      } catch (err) {
        entry.view.status = abort.signal.aborted ? 'cancelled' : 'failed';
        entry.view.message = abort.signal.aborted ? 'Cancelled.' : (err as Error)?.message ?? String(err);
      }
      entry.view.resumable = entry.view.kind === 'train' && entry.view.status === 'cancelled' && !!entry.view.runDir;
      if (entry.view.resumable) {
        entry.view.message = `Stopped${atStep(entry.view.done, entry.view.total)}. Resume continues from the last checkpoint.`;
        // Cancelled by deactivate: the window is going, so it reads as interrupted after the reload.
        if (entry.cancelReason !== 'reload') persisted.status = 'stopped';
      }
      persisted.done = entry.view.done;
      persisted.total = entry.view.total;
      entry.abort = undefined;
      this.trim();
      await this.persist();
      this.onChange();
      return structuredClone(entry.view);
    })();
    entry.done = finished.then(() => undefined);
    return { id, finished };
  }

  /**
   * Cancels every running job and waits until they have settled (the worker checkpoints and exits
   * on cancel), or until `timeoutMs` has passed. For deactivate: VS Code waits for its promise.
   */
  async cancelAll(timeoutMs: number): Promise<void> {
    const running = [...this.entries.values()].filter((e) => e.view.status === 'running' && e.done);
    for (const e of running) this.cancel(e.view.id, 'reload');
    if (!running.length) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    await Promise.race([Promise.all(running.map((e) => e.done)), timeout]);
    clearTimeout(timer);
  }

  cancel(id: string, reason: CancelReason = 'stopped'): boolean {
    const e = this.entries.get(id);
    if (!e?.abort || e.view.status !== 'running') return false;
    e.cancelReason = reason;
    e.view.message = 'Cancelling…';
    e.abort.abort();
    this.onChange();
    return true;
  }

  /** Removes an interrupted job once it has been resumed or dismissed. */
  forget(id: string): void {
    if (this.entries.get(id)?.view.status === 'running') return;
    this.entries.delete(id);
    void this.persist();
    this.onChange();
  }

  private apply(entry: Entry, p: JobProgress): void {
    const v = entry.view;
    if (p.message !== undefined) v.message = p.message;
    if (p.done !== undefined) v.done = p.done;
    if (p.total !== undefined) v.total = p.total;
    if (p.calls !== undefined) v.calls = p.calls;
    if (p.cost !== undefined) v.cost = p.cost;
    if (p.reward !== undefined) v.reward = p.reward;
    if (p.point) {
      v.curve = [...(v.curve ?? []), p.point];
      v.reward = p.point.meanReward;
    }
    if (p.runDir && p.runDir !== v.runDir) {
      v.runDir = p.runDir;
      v.runId = basename(p.runDir);
      if (entry.persisted) entry.persisted.runDir = p.runDir;
      void this.persist();
    }
    // The step survives a reload that gives no time to persist on exit (a crash, a kill).
    if (entry.persisted && v.done !== undefined && this.now() - this.lastProgressPersist >= PERSIST_PROGRESS_MS) {
      entry.persisted.done = v.done;
      entry.persisted.total = v.total;
      this.lastProgressPersist = this.now();
      void this.persist();
    }
    this.onChange();
  }

  private trim(): void {
    const finished = [...this.entries.values()].filter((e) => e.view.status !== 'running' && e.view.status !== 'interrupted');
    for (const e of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.entries.delete(e.view.id);
  }

  private persist(): Promise<void> {
    // Running jobs (cut off if the window reloads now) and stopped trainings that can resume.
    const keep = [...this.entries.values()].filter((e) => (e.view.status === 'running' || e.view.status === 'interrupted' || e.view.resumable) && e.persisted).map((e) => e.persisted!);
    return this.state.update(RUNNING_JOBS_KEY, keep);
  }
}
