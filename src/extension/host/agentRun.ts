/**
 * Which trained agent Evaluate uses: the newest run folder that finished training (and is not
 * training now) on the current dataset and KB. A folder that merely has checkpoints may be an
 * unfinished or cancelled run, or one of another dataset; evaluating it would fail in the core or,
 * worse, report an agent that is not the one the user means. When none fits, Evaluate runs
 * without the agent and says why.
 */
import { resolve } from 'node:path';
import type { RunFolder } from './runs';
import { isFinishedTraining, readTrainManifest } from '../../core/agent/runFolder';

export interface AgentWanted {
  datasetHash: string;
  kbFingerprint: string;
}

export type AgentPick = { run: RunFolder } | { run?: undefined; reason: string };


/** Dataset hash and KB fingerprint a run's manifest records (nothing when it has no valid manifest). */
export async function trainedOn(dir: string): Promise<{ datasetHash?: string; kbFingerprint?: string }> {
  try {
    const m = await readTrainManifest(dir);
    return { datasetHash: m.datasetHash, kbFingerprint: m.kbFingerprint };
  } catch {
    return {};
  }
}

/**
 * @param runs newest first (listRuns order)
 * @param runningDirs run folders of jobs running now
 */
export async function pickAgentRun(runs: RunFolder[], want: AgentWanted, runningDirs: Iterable<string>): Promise<AgentPick> {
  const running = new Set([...runningDirs].map((d) => resolve(d)));
  const skipped: string[] = [];
  for (const r of runs) {
    if (!r.trained) continue;
    if (running.has(resolve(r.dir))) {
      skipped.push(`${r.id} is still training`);
      continue;
    }
    if (!(await isFinishedTraining(r.dir))) {
      skipped.push(`${r.id} did not finish training`);
      continue;
    }
    const on = await trainedOn(r.dir);
    if (on.datasetHash !== want.datasetHash) {
      skipped.push(`${r.id} was trained on ${on.datasetHash ? 'another dataset' : 'an unrecorded dataset'}`);
      continue;
    }
    if (on.kbFingerprint !== want.kbFingerprint) {
      skipped.push(`${r.id} was trained on another version of the KB`);
      continue;
    }
    return { run: r };
  }
  if (!skipped.length) return { reason: 'no trained agent in the runs folder (run Train Retrieval Agent first)' };
  const more = skipped.length > 3 ? `; ${skipped.length - 3} more` : '';
  return { reason: `no finished training run matches the current dataset and KB (${skipped.slice(0, 3).join('; ')}${more})` };
}
