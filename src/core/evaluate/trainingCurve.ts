/**
 * The agent run's training curve, copied into results.json so the report can draw it without the
 * run folder. Reads `<run>/metrics.jsonl` (one JSON object per line) and keeps the fields of
 * TrainingPoint, accepting the snake_case spellings too. Lines that are not objects with a step
 * and a mean reward (e.g. a torn last line after a kill) are skipped.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { TrainingPoint } from '../../protocol/results';

function num(o: Record<string, unknown>, ...keys: string[]): number | undefined {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

export function parseTrainingCurve(text: string): TrainingPoint[] {
  const out: TrainingPoint[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      continue;
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) continue;
    const r = o as Record<string, unknown>;
    const step = num(r, 'step', 'steps', 'globalStep');
    const meanReward = num(r, 'meanReward', 'mean_reward', 'reward');
    if (step === undefined || meanReward === undefined) continue;
    const p: TrainingPoint = { step, meanReward };
    const entropy = num(r, 'entropy', 'policyEntropy');
    const valueLoss = num(r, 'valueLoss', 'value_loss');
    const validationReward = num(r, 'validationReward', 'validation_reward', 'valReward');
    if (entropy !== undefined) p.entropy = entropy;
    if (valueLoss !== undefined) p.valueLoss = valueLoss;
    if (validationReward !== undefined) p.validationReward = validationReward;
    out.push(p);
  }
  return out;
}

/** The curve of a run folder, or undefined when it has no metrics.jsonl. */
export async function readTrainingCurve(runDir: string): Promise<TrainingPoint[] | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(join(runDir, 'metrics.jsonl'), 'utf8');
  } catch {
    return undefined;
  }
  return parseTrainingCurve(text);
}
