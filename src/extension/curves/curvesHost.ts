/**
 * The training-curves panel's host side, plain logic over a panel-like object: one panel showing
 * the curves of the runs last asked for (from the runs table's selection or a quick pick), a
 * complete snapshot after the ready handshake and after every change. A run's curve is its
 * metrics.jsonl (training folders) or the copy results.json keeps (evaluations, pipelines).
 */
import { readTrainingCurve } from '../../core/evaluate/trainingCurve';
import { asCurvesCommand, type CurvesNotification, type RunCurve } from '../../protocol/curves';
import { isRunId } from '../../protocol/runsTable';
import { readResults, type RunFolder } from '../host/runs';
import type { HostLog, Ui } from '../vscode/types';
import type { PanelLike } from '../panelLike';
import { SinglePanel } from '../singlePanel';

/** The panel surface this host needs (no title changes). */
export type CurvesPanelLike = Omit<PanelLike<CurvesNotification>, 'setTitle'>;

export interface CurvesDeps {
  ui: Ui;
  log: HostLog;
  createPanel(): CurvesPanelLike;
  /** The selected dataset's run folders, newest first. */
  runs(): Promise<RunFolder[] | undefined>;
}

/** The curve of one run folder, or undefined when it records none. */
async function curveOf(run: RunFolder): Promise<RunCurve | undefined> {
  const fromMetrics = await readTrainingCurve(run.dir);
  if (fromMetrics?.length) return { runId: run.id, name: run.label, source: 'metrics.jsonl', points: fromMetrics };
  const results = run.hasResults ? await readResults(run.dir) : undefined;
  if (results?.training?.length) return { runId: run.id, name: results.run.name ?? run.id, source: 'results.json', points: results.training };
  return undefined;
}

/** The run ids a curves page's saved state ({ runs: [{ runId }], missing: [id] }) names. */
export function shownRunIds(state: unknown): string[] {
  if (!state || typeof state !== 'object') return [];
  const s = state as { runs?: unknown; missing?: unknown };
  const ids = [...(Array.isArray(s.runs) ? s.runs.map((r) => (r && typeof r === 'object' ? (r as { runId?: unknown }).runId : undefined)) : []), ...(Array.isArray(s.missing) ? s.missing : [])];
  return [...new Set(ids.filter((id): id is string => isRunId(id)))];
}

/** Runs that may have a curve (training folders and anything with results), for the quick pick. */
function candidates(runs: RunFolder[]): RunFolder[] {
  return runs.filter((r) => r.trained || r.hasResults || r.id.startsWith('train'));
}

export class CurvesHost {
  private readonly view: SinglePanel<CurvesPanelLike>;
  private runIds: string[] = [];

  constructor(private readonly d: CurvesDeps) {
    this.view = new SinglePanel(
      () => d.createPanel(),
      (m) => void this.receive(m),
    );
  }

  /** Shows the curves of `runIds`, or asks which runs when none are given. */
  async open(runIds?: string[]): Promise<void> {
    const ids = runIds?.length ? runIds : await this.pickRuns();
    if (!ids?.length) return;
    this.runIds = ids;
    if (this.view.show()) return this.refresh();
  }

  /**
   * A curves panel restored after a window reload: the runs it showed come from its page's saved
   * state (untrusted: only run ids are taken), re-read from disk once the page is ready.
   */
  restore(panel: CurvesPanelLike, state: unknown): void {
    this.runIds = shownRunIds(state);
    this.view.adopt(panel);
  }

  async refresh(): Promise<void> {
    if (!this.view.ready) return;
    const all = (await this.d.runs()) ?? [];
    const shown: RunCurve[] = [];
    const missing: string[] = [];
    for (const id of this.runIds) {
      const run = all.find((r) => r.id === id);
      const curve = run ? await curveOf(run) : undefined;
      if (curve) shown.push(curve);
      else missing.push(id);
    }
    await this.view.ready?.postMessage({ type: 'curves/show', runs: shown, missing });
  }

  async receive(raw: unknown): Promise<void> {
    const cmd = asCurvesCommand(raw);
    if (!cmd) return void this.d.log.warn('curves panel: ignored malformed message');
    if (cmd.type === 'curves/ready') {
      this.view.markReady();
      return this.refresh();
    }
    const ids = await this.pickRuns();
    if (ids?.length) {
      this.runIds = ids;
      await this.refresh();
    }
  }

  private async pickRuns(): Promise<string[] | undefined> {
    const runs = candidates((await this.d.runs()) ?? []);
    if (!runs.length) {
      void this.d.ui.info('Re2LLM: no run folder with a training curve yet. Train an agent first.');
      return undefined;
    }
    const current = new Set(this.runIds);
    const items = runs.map((r) => ({ label: r.label, description: r.id === r.label ? undefined : r.id, id: r.id, picked: current.has(r.id) }));
    const picked = await this.d.ui.pickMany(items, { title: 'Re2LLM: training curves', placeHolder: 'Runs to overlay' });
    return picked?.map((p) => p.id);
  }
}
