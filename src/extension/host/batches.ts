/**
 * Pending Batch API batches for the sidebar's Jobs section (issue 13): every batches.json in the
 * runs folder (the folder itself, where `llm.executor=batch` keeps it, and each run folder), the
 * batches not in a terminal state with their counts as the filling process last recorded them, and
 * a notification when one that was pending reaches a terminal state. While any is pending the
 * watcher re-reads on an interval (the process that polls the API rewrites the file after each
 * status check). The file is read here with a small guard rather than the core's reader, which
 * would load the `openai` SDK into the extension host.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { SidebarBatch } from '../../protocol/webview';
import type { HostLog, Ui } from '../vscode/types';

/** The Batch API's end states (as batchExecutor.ts polls until one of them). */
const TERMINAL = new Set(['completed', 'expired', 'cancelled', 'failed']);
const BATCH_POLL_MS = 15_000;

const BATCHES_FILE = 'batches.json';

interface Recorded extends SidebarBatch {
  terminal: boolean;
}

function recordsOf(v: unknown, file: string): Recorded[] {
  const list = v && typeof v === 'object' ? (v as { batches?: unknown }).batches : undefined;
  if (!Array.isArray(list)) return [];
  const out: Recorded[] = [];
  for (const b of list) {
    if (!b || typeof b !== 'object') continue;
    const r = b as Record<string, unknown>;
    const counts = (r.counts && typeof r.counts === 'object' ? r.counts : {}) as Record<string, unknown>;
    const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
    if (typeof r.id !== 'string' || typeof r.status !== 'string') continue;
    out.push({
      id: r.id,
      status: r.status,
      total: n(counts.total),
      completed: n(counts.completed),
      failed: n(counts.failed),
      createdAt: typeof r.createdAt === 'string' ? r.createdAt : '',
      file,
      terminal: TERMINAL.has(r.status),
    });
  }
  return out;
}

async function readMaybe(path: string): Promise<unknown> {
  try {
    return JSON.parse(await fsp.readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Every batch recorded under the runs folder (a torn or missing file lists none). */
export async function recordedBatches(runsDir: string): Promise<Recorded[]> {
  const found = recordsOf(await readMaybe(join(runsDir, BATCHES_FILE)), BATCHES_FILE);
  let names: string[] = [];
  try {
    names = (await fsp.readdir(runsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return found;
  }
  for (const name of names.sort()) found.push(...recordsOf(await readMaybe(join(runsDir, name, BATCHES_FILE)), `${name}/${BATCHES_FILE}`));
  return found;
}

export interface BatchWatcherDeps {
  ui: Ui;
  log: HostLog;
  /** Re-reads and republishes (the sidebar refresh, which calls `pending` again). */
  refresh(): void;
  intervalMs?: number;
}

export class BatchWatcher {
  /** Last status seen per batch (by file and id). */
  private readonly seen = new Map<string, string>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly d: BatchWatcherDeps) {}

  /** The pending batches now; tells the user about batches that finished since the last read; keeps polling while any is pending. */
  async pending(runsDir: string): Promise<SidebarBatch[]> {
    const all = await recordedBatches(runsDir);
    for (const b of all) {
      const key = `${b.file}#${b.id}`;
      const before = this.seen.get(key);
      this.seen.set(key, b.status);
      if (before !== undefined && !TERMINAL.has(before) && b.terminal) {
        const failed = b.failed ? `, ${b.failed} failed` : '';
        const msg = `Re2LLM: batch ${b.id} ${b.status} (${b.completed}/${b.total} answered${failed}). Start the stage again to use its answers from the cache.`;
        this.d.log.info(msg);
        void (b.status === 'completed' ? this.d.ui.info(msg) : this.d.ui.warn(msg));
      }
    }
    const pending = all.filter((b) => !b.terminal).map(({ terminal: _t, ...b }) => b);
    this.poll(pending.length > 0);
    return pending;
  }

  private poll(on: boolean): void {
    if (on && !this.timer) {
      this.timer = setInterval(() => this.d.refresh(), this.d.intervalMs ?? BATCH_POLL_MS);
      this.timer.unref?.();
    } else if (!on && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  dispose(): void {
    this.poll(false);
  }
}
