/**
 * What the evaluator needs from a trained agent, kept tiny so evaluation does not depend on how
 * the agent is trained or stored: the action order it was trained with, what it was trained on,
 * and a greedy pick. `loadAgentPolicy` (agentAdapter.ts) builds one from a run folder.
 *
 * A policy is only meaningful for the KB and dataset it was trained on: its action i is "the i-th
 * hint of that KB". `assertAgentMatches` refuses any other pairing and names what differs.
 */
import type { Session } from '../data/types';
import type { ActionHint } from '../kb/types';
import { join } from 'node:path';
import type { CancelSignal } from '../util/log';
import { InputError } from '../util/errors';

export interface AgentPolicy {
  /** Hint ids in action order; [0] is "none". */
  hintIds: string[];
  /** Hint texts in the same order, when the run recorded them (lets a refusal name edited hints). */
  hintTexts?: string[];
  datasetHash: string;
  kbFingerprint: string;
  /** The run folder it came from (for results.json and the training curve). */
  runDir?: string;
  /** Greedy action (index into hintIds) for a session. */
  pick(session: Session, signal?: CancelSignal): Promise<number>;
}

/** An input error (exit code 2 in the CLI) located at the agent run's manifest when known. */
export class StaleAgentError extends InputError {
  constructor(
    message: string,
    readonly differences: string[],
    file?: string,
  ) {
    super(message, file);
    this.name = 'StaleAgentError';
  }
}

export interface EvaluationInputs {
  datasetHash: string;
  kbFingerprint: string;
  /** The current KB's actions (actionHints(kb)). */
  actions: readonly ActionHint[];
}

/** Throws StaleAgentError naming every difference (old vs new values, hints added/removed/edited). */
export function assertAgentMatches(agent: AgentPolicy, now: EvaluationInputs): void {
  const diffs: string[] = [];
  if (agent.datasetHash !== now.datasetHash) diffs.push(`dataset hash: trained on ${agent.datasetHash}, evaluating ${now.datasetHash}`);
  const currentIds = now.actions.map((a) => a.id);
  const sameOrder = agent.hintIds.length === currentIds.length && agent.hintIds.every((id, i) => id === currentIds[i]);
  if (agent.kbFingerprint !== now.kbFingerprint || !sameOrder) {
    const parts: string[] = [`KB fingerprint: trained on ${agent.kbFingerprint}, current ${now.kbFingerprint}`];
    const added = currentIds.filter((id) => !agent.hintIds.includes(id));
    const removed = agent.hintIds.filter((id) => !currentIds.includes(id));
    if (added.length) parts.push(`hints added or enabled: ${added.join(', ')}`);
    if (removed.length) parts.push(`hints removed or disabled: ${removed.join(', ')}`);
    if (agent.hintTexts) {
      const textNow = new Map(now.actions.map((a) => [a.id, a.text]));
      const edited = agent.hintIds.filter((id, i) => textNow.has(id) && textNow.get(id) !== agent.hintTexts![i]);
      if (edited.length) parts.push(`hints edited: ${edited.join(', ')}`);
    }
    if (!added.length && !removed.length && !sameOrder) parts.push('hints reordered');
    if (parts.length === 1 && agent.kbFingerprint !== now.kbFingerprint) parts.push('same hint ids in the same order, so a hint text was edited');
    diffs.push(parts.join('; '));
  }
  if (diffs.length) {
    const file = agent.runDir ? join(agent.runDir, 'manifest.json') : undefined;
    throw new StaleAgentError(`the agent was trained on other inputs and cannot be evaluated here; retrain it. ${diffs.join('. ')}`, diffs, file);
  }
}
