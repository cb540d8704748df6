/**
 * A trained agent is stale when the KB's enabled hint set changed since it was trained: its
 * actions no longer mean the same hints. Detected by the core's KB fingerprint; the reason names
 * what changed, by hint id.
 */
export interface Staleness {
  stale: boolean;
  reason?: string;
}

export function agentStaleness(
  agent: { runId: string; fingerprint: string; hintIds?: string[] } | undefined,
  current: { fingerprint: string; enabledIds: string[] },
): Staleness {
  if (!agent) return { stale: false };
  if (agent.fingerprint === current.fingerprint) return { stale: false };
  let reason = `the KB's enabled hints changed since agent ${agent.runId} was trained`;
  if (agent.hintIds) {
    const before = new Set(agent.hintIds.filter((id) => id !== 'none'));
    const now = new Set(current.enabledIds);
    const added = [...now].filter((id) => !before.has(id));
    const removed = [...before].filter((id) => !now.has(id));
    const parts: string[] = [];
    if (added.length) parts.push(`${added.length} added or enabled (${added.slice(0, 3).join(', ')}${added.length > 3 ? ', …' : ''})`);
    if (removed.length) parts.push(`${removed.length} removed or disabled (${removed.slice(0, 3).join(', ')}${removed.length > 3 ? ', …' : ''})`);
    if (!parts.length) parts.push('hint texts or order edited');
    reason += `: ${parts.join('; ')}`;
  }
  return { stale: true, reason: reason + '. Retrain before evaluating the agent.' };
}
