/** Run Full Pipeline: the extension's reflection (through staging), then the core's runExperiment. */
import { basename } from 'node:path';
import type { SidebarParams } from '../../protocol/webview';
import type { Studio } from '../host/studio';
import { kbHasUnsavedEdits, pipelineReflect } from '../kb/stagingPolicy';
import { confirmCost } from './confirmCost';
import { prepareJob, runJob, withEndpoint } from './runJob';

export async function runPipeline(s: Studio, params?: Partial<SidebarParams>): Promise<void> {
  const p = await prepareJob(s, 'Run Full Pipeline', params);
  if (!p || kbHasUnsavedEdits(s, p.kbPath, 'Run Full Pipeline')) return;
  if (!(await confirmCost(s, p, ['reflect', 'train', 'evaluate']))) return;
  await runJob(s, { kind: 'run', label: `Full pipeline on ${p.dataset.label}`, progress: true, datasetId: p.dataset.id }, (h, ctx) => withEndpoint(s, p, h, async (ep) => {
    const pre = await pipelineReflect(s, ctx(ep.wc.resolved, ep.apiKey), p.kbPath);
    if (pre.stop) return pre.stop;
    const wc = pre.layers.length ? ep.configWith(pre.layers) : ep.wc;
    const r = await s.core.runExperiment(ctx(wc.resolved, ep.apiKey));
    void s.refresh();
    await s.results?.showRuns([r.runDir]);
    return `results: ${basename(r.runDir)}`;
  }));
}
