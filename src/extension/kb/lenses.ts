/**
 * CodeLens content above each hint: its statistics from the latest evaluation (how often the agent
 * picked it, mean reward where picked) and the "Try this hint" action. Plain data; the VS Code
 * provider only maps offsets to positions.
 */
import type { HintStat } from '../../protocol/results';
import type { LocatedHint } from './locate';

export interface LensSpec {
  offset: number;
  title: string;
  /** Command id and arguments; undefined for an informational lens. */
  command?: string;
  args?: unknown[];
}

function formatReward(r: number | null): string {
  if (r === null || !Number.isFinite(r)) return 'n/a';
  return (r >= 0 ? '+' : '') + r.toFixed(3);
}

export function lensesFor(hints: LocatedHint[], stats: { runId: string; hints: HintStat[]; totalPicks: number } | undefined, validationSessions: number, kbPath: string): LensSpec[] {
  const byId = new Map((stats?.hints ?? []).map((h) => [h.id, h]));
  const out: LensSpec[] = [];
  for (const h of hints) {
    if (!h.id) continue;
    const s = byId.get(h.id);
    let title: string;
    if (!h.enabled) title = 'disabled (not an action of the agent)';
    else if (!stats) title = 'no evaluation yet';
    else if (!s) title = `not in run ${stats.runId} (added since)`;
    else {
      const share = stats.totalPicks > 0 ? ` (${Math.round((100 * s.picks) / stats.totalPicks)}%)` : '';
      title = `agent picks ${s.picks}×${share} · mean reward ${formatReward(s.meanReward)} · run ${stats.runId}`;
    }
    out.push({ offset: h.start, title, command: stats && s ? 're2llm.openResults' : undefined, args: stats && s ? [stats.runId] : undefined });
    if (h.text) out.push({ offset: h.start, title: `Try this hint on ${validationSessions} validation sessions`, command: 're2llm.tryHint', args: [kbPath, h.id] });
  }
  return out;
}
