/**
 * Bringing new hints (from a reflection run) into the user's KB without losing a hand edit. The
 * merge is the core's (user edits and deletions win); this file only picks where it applies:
 * - the KB is open with unsaved edits: merged into the buffer through a WorkspaceEdit (undoable;
 *   the disk is not touched, the user saves when ready);
 * - the buffer does not parse: nothing is written anywhere; the new hints stay in the staging file
 *   (kb/staging.ts merges it before the next run);
 * - otherwise: the core's merge-safe save to disk (re-read, merge, atomic write).
 */
import type { HintKb } from '../../core/kb/types';
import type { CoreApi } from '../coreAdapter/api';
import type { Workspace } from '../vscode/types';

export type MergeOutcome = { where: 'buffer' | 'disk'; hints: number } | { where: 'staged'; reason: string };

/**
 * @param base the KB file when the run started (text null: there was no file)
 * @param desired the run's KB (base plus its new hints)
 */
export async function mergeIntoKb(ws: Workspace, core: CoreApi, kbPath: string, base: { text: string | null; kb: HintKb }, desired: HintKb): Promise<MergeOutcome> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const doc = ws.openDocument(kbPath);
    if (doc?.isDirty) {
      let text: string;
      try {
        text = await core.mergeKbText(doc.text, base.kb, desired);
      } catch {
        return { where: 'staged', reason: 'the open KB has unsaved edits that are not a valid KB; fix them, then run reflection again (it merges the staged hints first)' };
      }
      if (text === doc.text) return { where: 'buffer', hints: (await core.parseKb(text))?.hints.length ?? 0 };
      if (await ws.replaceDocumentText(kbPath, doc.version, text)) return { where: 'buffer', hints: (await core.parseKb(text))?.hints.length ?? 0 };
      continue; // the user typed in between: merge into the new buffer
    }
    try {
      return { where: 'disk', ...(await core.saveKbMerged(kbPath, base, desired)) };
    } catch (err) {
      return { where: 'staged', reason: (err as Error).message };
    }
  }
  return { where: 'staged', reason: 'the KB kept changing while merging; run reflection again' };
}
