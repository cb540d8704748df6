/** Open Results, Compare Runs, Export Results: pick runs with results and show or write them. */
import { basename, join } from 'node:path';
import { readResults } from '../host/runs';
import type { Studio } from '../host/studio';

/** Opens one run (by id, or the only one with results, or a pick). */
export async function openResults(s: Studio, runId?: string): Promise<void> {
  const runs = (await s.runs()).filter((r) => r.hasResults);
  if (!runs.length) {
    void s.vs.ui.info('Re2LLM: no results yet. Run Evaluate, Run Full Pipeline or Start Demo first.');
    return;
  }
  const run = runId ? runs.find((r) => r.id === runId) : runs.length === 1 ? runs[0] : (await s.vs.ui.pick(runs.map((r) => ({ label: r.label, description: r.id, detail: r.notes, run: r })), { title: 'Re2LLM: Open Results' }))?.run;
  if (!run) return;
  await s.results?.showRuns([run.dir]);
}

export async function compareRuns(s: Studio): Promise<void> {
  const runs = (await s.runs()).filter((r) => r.hasResults);
  if (runs.length < 2) {
    void s.vs.ui.info('Re2LLM: comparing needs at least two runs with results.');
    return;
  }
  const picked = await s.vs.ui.pickMany(runs.map((r) => ({ label: r.label, description: r.id, detail: r.notes, run: r })), { title: 'Re2LLM: Compare Runs (the first picked is the reference)' });
  if (!picked || picked.length < 2) return;
  await s.results?.showRuns(picked.map((p) => p.run.dir));
}

export async function exportResults(s: Studio, runId?: string, format?: 'csv' | 'latex' | 'json'): Promise<void> {
  const runs = (await s.runs()).filter((r) => r.hasResults);
  const run = runId ? runs.find((r) => r.id === runId) : (await s.vs.ui.pick(runs.map((r) => ({ label: r.label, description: r.id, run: r })), { title: 'Re2LLM: Export Results — run' }))?.run;
  if (!run) return;
  const fmt = format ?? (await s.vs.ui.pick([{ label: 'csv' as const }, { label: 'latex' as const }, { label: 'json' as const }], { title: 'Re2LLM: Export Results — format' }))?.label;
  if (!fmt) return;
  const ext = fmt === 'latex' ? 'tex' : fmt;
  const out = await s.vs.ui.saveDialog(join(run.dir, `metrics.${ext}`), { [fmt.toUpperCase()]: [ext] });
  if (!out) return;
  if (!(await readResults(run.dir))) return;
  const written = await s.core.exportResults(run.dir, fmt, out);
  void s.vs.ui.info(`Re2LLM: exported ${basename(written)}.`, 'Open').then((c) => { if (c) void s.vs.ui.openFile(written); });
}
