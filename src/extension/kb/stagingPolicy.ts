/**
 * The KB staging policy of jobs that reflect and then train (Run Full Pipeline, Start Demo): the
 * extension reflects through the staging copy (staging.ts, mergeIntoKb.ts), so the core's
 * pipeline never writes the KB itself, and a KB with unsaved edits stops the job before it starts.
 */
import { basename } from 'node:path';
import type { ConfigLayer } from '../../core/config/resolve';
import { isEnabled } from '../../core/kb/types';
import type { JobContext } from '../coreAdapter/api';
import { describeMerge, reflectIntoKb } from '../host/reflectRun';
import type { Studio } from '../host/studio';
import { hasStaged, stagingFor } from './staging';

/**
 * A KB with unsaved edits at the start: the pipeline's hints would land in the buffer and the
 * training would use the file on disk without them, so ask for a save first. (Edits made while
 * it runs are safe: every KB write goes through the staging merge, see pipelineReflect.)
 */
export function kbHasUnsavedEdits(s: Studio, kbPath: string, action: string): boolean {
  if (!s.vs.workspace.openDocument(kbPath)?.isDirty) return false;
  void s.vs.ui.warn(`Re2LLM: ${basename(kbPath)} has unsaved edits. Save it before ${action}: the pipeline may add hints to it, and never writes under unsaved edits.`);
  return true;
}

/**
 * The pipeline's reflection stage, run as Reflect runs it (staging copy, then a merge into the
 * open buffer or the disk, checked when it writes), so the core's pipeline never writes the KB:
 * its own reflection is skipped by capping `reflection.targetHints` at what the KB holds.
 * Returns the extra config layer for the pipeline, or why it stops after reflection.
 */
export async function pipelineReflect(s: Studio, c: JobContext, kbPath: string): Promise<{ layers: ConfigLayer[]; stop?: string }> {
  const enabledOnDisk = async (): Promise<number> => {
    const read = await s.readKb(kbPath);
    if (read && !read.kb) throw new Error(`${kbPath} is not a valid KB; fix it (Re2LLM: Validate Hint KB) and run again`);
    return read?.kb?.hints.filter(isEnabled).length ?? 0;
  };
  const target = c.config.reflection.targetHints;
  if ((await hasStaged(stagingFor(c.config.output.runsDir, kbPath))) || (await enabledOnDisk()) < target) {
    const r = await reflectIntoKb(s.vs.workspace, s.core, c, kbPath);
    void s.refresh();
    if (r.status === 'blocked') {
      void s.vs.ui.warn(`Re2LLM: pipeline not started: ${r.reason}.`);
      return { layers: [], stop: `not started: ${r.reason}` };
    }
    if (c.signal.aborted) throw new Error('cancelled during reflection');
    if (r.out.where !== 'disk') {
      const msg = `reflection: ${r.accepted} hints accepted, ${describeMerge(r.out, r.staging)}. Save the KB, then run again to train and evaluate with them.`;
      void s.vs.ui.warn(`Re2LLM: ${msg}`, 'Open Hint KB').then((x) => { if (x) void s.vs.ui.openFile(kbPath); });
      return { layers: [], stop: `stopped after ${msg}` };
    }
  }
  const n = await enabledOnDisk();
  if (n >= target) return { layers: [] };
  if (n === 0) {
    // The core's pipeline would reflect again (its target is at least 1) and write the KB itself.
    const msg = `${basename(kbPath)} has no enabled hints after reflection: nothing to train. Run Reflect with a larger budget, or add hints by hand.`;
    void s.vs.ui.warn(`Re2LLM: ${msg}`);
    return { layers: [], stop: `stopped: ${msg}` };
  }
  c.logger.log('info', `pipeline: reflection stopped at ${n} of ${target} hints; training and evaluation use those`);
  return { layers: [{ source: 'pipeline (reflection already run by the extension)', values: { 'reflection.targetHints': n } }] };
}
