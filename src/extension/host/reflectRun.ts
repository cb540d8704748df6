/**
 * One reflection into the user's KB through its staging copy (kb/staging.ts), as Reflect, Run
 * Full Pipeline and Start Demo run it: merge what an earlier run left staged, copy the KB, let the
 * core reflect into the copy, merge the copy into the KB (buffer or disk) — also when the run
 * failed, so hints accepted before a failure are not lost.
 */
import type { CoreApi, JobContext } from '../coreAdapter/api';
import type { MergeOutcome } from '../kb/mergeIntoKb';
import { mergeStaged, stageKb, stagingFor, type Staging } from '../kb/staging';
import type { Workspace } from '../vscode/types';
import type { StopReason } from '../../core/reflect/types';

export type ReflectRun =
  /** Nothing ran: staged hints of an earlier run could not be merged (reason says why). */
  | { status: 'blocked'; staging: Staging; reason: string }
  | { status: 'done'; staging: Staging; accepted: number; stopReason?: StopReason; out: MergeOutcome; recovered?: MergeOutcome };

/** How a merge outcome reads in a message. */
export function describeMerge(out: MergeOutcome, staging: Staging): string {
  if (out.where === 'buffer') return `merged into the open editor (unsaved: save to keep them), ${out.hints} hints`;
  if (out.where === 'disk') return `written to the KB, ${out.hints} hints`;
  return `kept in ${staging.file} (${'reason' in out ? out.reason : 'not merged'})`;
}

export async function reflectIntoKb(ws: Workspace, core: CoreApi, ctx: JobContext, kbPath: string): Promise<ReflectRun> {
  const staging = stagingFor(ctx.config.output.runsDir, kbPath);
  const recovered = await mergeStaged(ws, core, staging);
  if (recovered?.where === 'staged') {
    return { status: 'blocked', staging, reason: `hints from an earlier reflection run are still staged in ${staging.file} and could not be merged: ${recovered.reason}` };
  }
  if (recovered) ctx.logger.log('info', `reflection: hints staged by an earlier run ${describeMerge(recovered, staging)}`);
  await stageKb(staging, core, ctx.config.dataset.name);
  let accepted: number;
  let stopReason: StopReason | undefined;
  try {
    ({ accepted, stopReason } = await core.reflect(ctx, staging.file));
  } catch (err) {
    // The checkpoint already counts the hints in the copy as saved: bring them in before failing.
    const out = await mergeStaged(ws, core, staging).catch((e: Error) => ({ where: 'staged' as const, reason: e.message, newHints: 1 }));
    const msg = (err as Error)?.message ?? String(err);
    throw new Error(out?.newHints ? `${msg} (hints accepted before the failure: ${describeMerge(out, staging)})` : msg);
  }
  const out = (await mergeStaged(ws, core, staging)) ?? { where: 'staged' as const, reason: `reflection left no KB at ${staging.file}` };
  return { status: 'done', staging, accepted, out, ...(stopReason ? { stopReason } : {}), ...(recovered ? { recovered } : {}) };
}
