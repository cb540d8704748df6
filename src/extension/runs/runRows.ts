/**
 * One row of the runs table from a run folder: its results.json when it has one (evaluations,
 * pipelines), else its config.json and manifest.json (trainings), else only its name and time.
 * Best effort, as listRuns: a folder that does not parse is still a row.
 */
import { join } from 'node:path';
import type { ResultsFile } from '../../protocol/results';
import type { RunRow } from '../../protocol/runsTable';
import { checkTrainManifest, type TrainManifest } from '../../protocol/runFolder';
import { readJson, readResults, type RunFolder } from '../host/runs';

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

export function kindOf(id: string): RunRow['kind'] {
  if (id.startsWith('eval')) return 'eval';
  if (id.startsWith('train')) return 'train';
  if (id.startsWith('reflect')) return 'reflect';
  if (id.startsWith('run') || id.startsWith('demo')) return 'run';
  return 'other';
}

function metric(r: ResultsFile, condition: string, name: string): number | undefined {
  return num(r.conditions.find((c) => c.condition === condition)?.metrics[name]?.mean);
}

/** The row of one folder; `hidden` comes from the table's own state. */
export function rowOf(run: RunFolder, results: ResultsFile | undefined, config: Record<string, unknown>, manifest: TrainManifest | undefined, hidden: boolean): RunRow {
  const agent = obj(config.agent);
  const encoder = obj(config.encoder);
  const llm = obj(config.llm);
  const row: RunRow = {
    id: run.id,
    name: results?.run.name ?? run.id,
    kind: results && kindOf(run.id) === 'other' ? 'eval' : kindOf(run.id),
    modified: new Date(run.mtimeMs).toISOString(),
    starred: !!results?.run.starred,
    hidden,
    hasResults: !!results,
    trained: run.trained,
  };
  const set = <K extends keyof RunRow>(k: K, v: RunRow[K] | undefined) => {
    if (v !== undefined) row[k] = v;
  };
  set('dataset', results?.run.dataset.name ?? manifest?.dataset?.name ?? str(obj(config.dataset).name));
  set('model', results?.run.llm.model ?? manifest?.llm?.model ?? str(llm.model));
  const hintIds = results?.run.kb?.hintIds ?? run.kb?.hintIds;
  set('hints', hintIds ? hintIds.filter((id) => id !== 'none').length : undefined);
  set('steps', num(agent.steps));
  set('preset', str(agent.preset));
  set('encoder', str(encoder.kind));
  if (results) {
    set('testSessions', results.conditions.find((c) => c.condition === 'no-hint')?.n ?? results.conditions[0]?.n);
    set('agentNdcg10', metric(results, 'agent', 'NDCG@10'));
    set('noHintNdcg10', metric(results, 'no-hint', 'NDCG@10'));
    set('agentHr10', metric(results, 'agent', 'HR@10'));
    if (row.agentNdcg10 !== undefined && row.noHintNdcg10 !== undefined) row.deltaNdcg10 = row.agentNdcg10 - row.noHintNdcg10;
    set('cost', results.conditions.reduce((s, c) => s + (c.usage?.cost ?? 0), 0));
  }
  return row;
}

/** Every folder's row, newest first (listRuns order). */
export async function runRows(runs: RunFolder[], hidden: ReadonlySet<string>): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  for (const r of runs) {
    const results = r.hasResults ? await readResults(r.dir) : undefined;
    const config = obj(results?.run.config ?? (await readJson(join(r.dir, 'config.json'))));
    // The run-folder contract's guard decides what a manifest is; anything else shows no manifest fields.
    const checked = results ? undefined : checkTrainManifest(await readJson(join(r.dir, 'manifest.json')));
    const manifest = checked && 'manifest' in checked ? checked.manifest : undefined;
    rows.push(rowOf(r, results, config, manifest, hidden.has(r.id)));
  }
  return rows;
}
