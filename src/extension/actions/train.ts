/** Train Retrieval Agent (in the worker process), Stop Training, and Resume from a checkpoint. */
import { basename } from 'node:path';
import type { SidebarParams } from '../../protocol/webview';
import type { Studio } from '../host/studio';
import { confirmCost } from './confirmCost';
import { prepareJob, runJob, withEndpoint } from './runJob';

export async function train(s: Studio, params?: Partial<SidebarParams>, resumeRunDir?: string): Promise<void> {
  if (s.jobs.running('train').length) {
    void s.vs.ui.warn('Re2LLM: a training run is already in progress (Stop Training first).');
    return;
  }
  const p = await prepareJob(s, 'Train Retrieval Agent', params);
  if (!p) return;
  if (!(await confirmCost(s, p, ['train']))) return;
  const ui = s.vs.ui;
  const label = `${resumeRunDir ? `Resume ${basename(resumeRunDir)}` : 'Train agent'} on ${p.dataset.label}`;
  await runJob(s, { kind: 'train', label, progress: false, datasetId: p.dataset.id, runDir: resumeRunDir }, (h, ctx) => withEndpoint(s, p, h, async (ep) => {
    ui.statusBar('$(sync~spin) Re2LLM: training…', 'Re2LLM training — click to stop', 're2llm.stopTraining');
    let runId = '';
    const c = ctx(ep.wc.resolved, ep.apiKey);
    const onProgress = c.onProgress;
    c.onProgress = (ev) => {
      onProgress(ev);
      const j = s.jobs.get(h.id);
      if (ev.runDir) runId = basename(ev.runDir);
      if (j && ev.point && j.curve) s.results?.trainingCurve(runId || h.id, j.curve);
    };
    try {
      const r = await s.core.train(c, p.kbPath, resumeRunDir);
      void ui.info(`Re2LLM: training finished (${basename(r.runDir)}).`, 'Evaluate').then((x) => x && ui.executeCommand('re2llm.evaluate'));
      return `trained: ${basename(r.runDir)}`;
    } finally {
      ui.statusBar(undefined);
      void s.refresh();
    }
  }));
}

export function stopTraining(s: Studio): void {
  const running = s.jobs.running('train');
  if (!running.length) {
    void s.vs.ui.info('Re2LLM: no training is running.');
    return;
  }
  for (const j of running) s.jobs.cancel(j.id, 'stopped');
}

/** Continues a stopped or interrupted training from its run folder's last checkpoint. */
export async function resumeTraining(s: Studio, jobId: string): Promise<void> {
  const j = s.jobs.get(jobId);
  if (!j?.resumable || !j.runDir) return;
  if (j.datasetId && s.datasets.some((d) => d.id === j.datasetId)) await s.selectDataset(j.datasetId);
  s.jobs.forget(jobId);
  await train(s, undefined, j.runDir);
}

export function cancelJob(s: Studio, jobId: string): void {
  s.jobs.cancel(jobId, 'stopped');
}
