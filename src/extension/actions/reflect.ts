/** Build Hint KB (Reflect): reflection into a staging copy, merged into the user's KB afterwards. */
import type { SidebarParams } from '../../protocol/webview';
import { describeMerge, reflectIntoKb } from '../host/reflectRun';
import type { Studio } from '../host/studio';
import { confirmCost } from './confirmCost';
import { STOP_REASON_TEXT } from '../../core/reflect/stopText';
import { prepareJob, runJob, withEndpoint } from './runJob';

export async function reflect(s: Studio, params?: Partial<SidebarParams>): Promise<void> {
  const p = await prepareJob(s, 'Build Hint KB (Reflect)', params);
  if (!p) return;
  if (!(await confirmCost(s, p, ['reflect']))) return;
  const { kbPath } = p;
  await runJob(s, { kind: 'reflect', label: `Reflect on ${p.dataset.label}`, progress: true, datasetId: p.dataset.id }, (h, ctx) => withEndpoint(s, p, h, async (ep) => {
    // Reflection writes a staging copy; the result is merged into the user's KB afterwards, so
    // an open KB with unsaved edits is never overwritten (see kb/staging.ts, kb/mergeIntoKb.ts).
    const r = await reflectIntoKb(s.vs.workspace, s.core, ctx(ep.wc.resolved, ep.apiKey), kbPath);
    void s.refresh();
    if (r.status === 'blocked') {
      void s.vs.ui.warn(`Re2LLM: reflection not started: ${r.reason}.`);
      return `not started: ${r.reason}`;
    }
    if (r.out.where === 'staged') {
      void s.vs.ui.warn(`Re2LLM: ${r.accepted} hints accepted; the new ones are ${describeMerge(r.out, r.staging)}. They are merged before the next reflection starts.`);
      return `${r.accepted} hints accepted; kept in staging (${r.out.reason})`;
    }
    const where = r.out.where === 'buffer' ? 'merged into the open editor (unsaved: save to keep them)' : 'written';
    // Short of the target: say why it stopped (a budget, the sessions), as the CLI's summary does.
    const stopped = r.stopReason && r.stopReason !== 'target' ? `; stopped: ${STOP_REASON_TEXT[r.stopReason]}` : '';
    void s.vs.ui.info(`Re2LLM: ${r.accepted} hints accepted, KB ${where}: ${r.out.hints} hints${stopped}.`, 'Open Hint KB').then((c) => { if (c) void s.vs.ui.openFile(kbPath); });
    h.progress({ message: `${r.accepted} hints accepted` });
    return `${r.accepted} hints accepted; KB ${where}${stopped}`;
  }));
}
