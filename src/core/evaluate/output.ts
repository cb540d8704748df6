/**
 * The evaluation's files in its run folder, written atomically:
 *   results.json      the ResultsFile (schemas/results.schema.json)
 *   predictions.jsonl one PredictionRecord per (session, condition), conditions in results order
 */
import { join } from 'node:path';
import { promises as fsp } from 'node:fs';
import type { ResultsFile } from '../../protocol/results';
import { isResultsFile, READABLE_RESULTS_VERSIONS } from '../../protocol/results';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs';
import type { ConditionRun, PredictionRecord } from './records';

export const RESULTS_FILE = 'results.json';
export const PREDICTIONS_FILE = 'predictions.jsonl';

export function predictionsJsonl(runs: readonly ConditionRun[]): string {
  return runs.flatMap((r) => r.records.map((rec) => JSON.stringify(rec) + '\n')).join('');
}

export async function writeEvaluation(runDir: string, results: ResultsFile, runs: readonly ConditionRun[]): Promise<void> {
  await writeFileAtomic(join(runDir, PREDICTIONS_FILE), predictionsJsonl(runs));
  await writeJsonAtomic(join(runDir, RESULTS_FILE), results);
}

export async function readPredictions(runDir: string): Promise<PredictionRecord[]> {
  const text = await fsp.readFile(join(runDir, PREDICTIONS_FILE), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as PredictionRecord);
}

export async function readResults(runDir: string): Promise<ResultsFile> {
  const path = join(runDir, RESULTS_FILE);
  const v = JSON.parse(await fsp.readFile(path, 'utf8')) as unknown;
  if (!isResultsFile(v)) throw new Error(`${path}: not a results file of schema version ${READABLE_RESULTS_VERSIONS.join(' or ')}`);
  return v;
}
