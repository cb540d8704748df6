/** Start Demo: the whole pipeline on the bundled example against the simulated LLM; no key needed. */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { ConfigLayer } from '../../core/config/resolve';
import { DEMO_SETTINGS } from '../../core/run/demo';
import type { Studio } from '../host/studio';
import { requireTrust } from '../host/trust';
import { SELECTED_DATASET_KEY } from '../host/studio';
import { kbHasUnsavedEdits, pipelineReflect } from '../kb/stagingPolicy';
import { SIMULATED_API_KEY, startSimulatedEndpoint } from './llmAccess';
import { runJob } from './runJob';

export async function startDemo(s: Studio): Promise<void> {
  if (!(await requireTrust(s.vs, 'Start Demo'))) return;
  const example = s.exampleDir();
  if (!existsSync(example)) {
    void s.vs.ui.error(`Re2LLM: the bundled example is missing (${example}).`);
    return;
  }
  const id = s.datasets.find((d) => d.kind === 'example')?.id ?? example;
  await s.vs.workspaceState.update(SELECTED_DATASET_KEY, id);
  const dataset = { id: example, label: 'hetrec-mini (bundled example)', path: 'examples/hetrec-mini', kind: 'example' as const };
  await runJob(s, { kind: 'demo', label: 'Demo on hetrec-mini (simulated LLM)', progress: true, datasetId: id }, async (h, ctx) => {
    const scale: ConfigLayer = { source: 'demo scale', values: DEMO_SETTINGS };
    const wc = s.configFor(dataset, [scale]);
    if (kbHasUnsavedEdits(s, s.kbPathFor(wc), 'Start Demo')) return 'not started: the demo KB has unsaved edits';
    h.progress({ message: 'Loading the example dataset…' });
    const ds = await s.core.loadDataset(wc.resolved.config, s.logger());
    const sim = await startSimulatedEndpoint(s.core, ds, 'demo (simulated LLM)');
    s.vs.log.info(`demo: simulated LLM on ${sim.baseUrl}`);
    try {
      const demo = s.configFor(dataset, [scale, sim.layer]);
      const kbPath = s.kbPathFor(demo);
      const pre = await pipelineReflect(s, ctx(demo.resolved, SIMULATED_API_KEY), kbPath);
      if (pre.stop) return pre.stop;
      const wcRun = pre.layers.length ? s.configFor(dataset, [scale, sim.layer, ...pre.layers]) : demo;
      const r = await s.core.runExperiment(ctx(wcRun.resolved, SIMULATED_API_KEY));
      void s.refresh();
      await s.results?.showRuns([r.runDir]);
      return `demo results: ${basename(r.runDir)}`;
    } finally {
      await sim.close();
    }
  });
}
