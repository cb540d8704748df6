/** Try This Hint (CodeLens): one hint against no hint on a few validation sessions. */
import { basename } from 'node:path';
import { isEnabled } from '../../core/kb/types';
import type { Studio } from '../host/studio';
import { prepareJob, runJob, withEndpoint } from './runJob';

export const TRY_HINT_SESSIONS = 20;

export async function tryHint(s: Studio, kbPath: string, hintId: string): Promise<void> {
  const p = await prepareJob(s, 'Try hint');
  if (!p) return;
  const read = await s.readKb(kbPath, true);
  const hint = read?.kb?.hints.find((h) => h.id === hintId);
  if (!hint) {
    void s.vs.ui.error(`Re2LLM: hint ${hintId} not found in ${basename(kbPath)} (does the file parse?).`);
    return;
  }
  await runJob(s, { kind: 'tryHint', label: `Try hint ${hintId}`, progress: true, datasetId: p.dataset.id }, (h, ctx) => withEndpoint(s, p, h, async (ep) => {
    const r = await s.core.tryHint(ctx(ep.wc.resolved, ep.apiKey), hint.text, TRY_HINT_SESSIONS);
    const msg = `hint ${hintId} on ${r.sessions} validation sessions: target rank improved on ${r.improved}, worse on ${r.worsened}, mean reward ${r.meanReward >= 0 ? '+' : ''}${r.meanReward.toFixed(3)}${isEnabled(hint) ? '' : ' (hint is disabled)'}`;
    void s.vs.ui.info(`Re2LLM: ${msg}`);
    return msg;
  }));
}
