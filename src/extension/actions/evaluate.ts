/** Evaluate: every condition on the test sample, with the newest matching trained agent. */
import { basename } from 'node:path';
import type { SidebarParams } from '../../protocol/webview';
import type { JobContext } from '../coreAdapter/api';
import { pickAgentRun } from '../host/agentRun';
import type { Studio } from '../host/studio';
import { confirmCost } from './confirmCost';
import { prepareJob, runJob, withEndpoint } from './runJob';

export async function evaluate(s: Studio, params?: Partial<SidebarParams>): Promise<void> {
  const p = await prepareJob(s, 'Evaluate', params);
  if (!p) return;
  if (!(await confirmCost(s, p, ['evaluate']))) return;
  await runJob(s, { kind: 'evaluate', label: `Evaluate ${p.dataset.label}`, progress: true, datasetId: p.dataset.id }, (h, ctx) => withEndpoint(s, p, h, async (ep) => {
    const c = ctx(ep.wc.resolved, ep.apiKey);
    h.progress({ message: 'Choosing the trained agent…' });
    const agent = await agentFor(s, c, p.kbPath);
    const r = await s.core.evaluate(c, p.kbPath, agent);
    void s.refresh();
    await s.results?.showRuns([r.runDir]);
    return `results: ${basename(r.runDir)}`;
  }));
}

/**
 * The agent run Evaluate uses: the newest finished training on this dataset and KB (agentRun.ts).
 * Without one, the evaluation runs without the agent condition and the user is told why.
 */
async function agentFor(s: Studio, c: JobContext, kbPath: string): Promise<string | undefined> {
  const runs = await s.runs(c.config);
  const why = (reason: string): undefined => {
    if (c.config.evaluation.conditions.includes('agent')) void s.vs.ui.warn(`Re2LLM: evaluating without the agent: ${reason}.`);
    c.logger.log('warn', `evaluate: no agent condition: ${reason}`);
    return undefined;
  };
  if (!runs.some((r) => r.trained)) return why('no trained agent in the runs folder (run Train Retrieval Agent first)');
  const kb = (await s.readKb(kbPath))?.kb;
  if (!kb) return why(`${basename(kbPath)} is missing or not a valid KB`);
  const ds = await s.core.loadDataset(c.config, c.logger);
  const running = s.jobs.running().map((j) => j.runDir).filter((d): d is string => !!d);
  const pick = await pickAgentRun(runs, { datasetHash: ds.hash, kbFingerprint: await s.core.kbFingerprint(kb) }, running);
  if (!pick.run) return why(pick.reason);
  c.logger.log('info', `evaluate: agent from ${pick.run.dir}`);
  return pick.run.dir;
}
