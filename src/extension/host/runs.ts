/**
 * Run folders under `output.runsDir`: which have results, which trained an agent, and on which KB
 * fingerprint (to mark an agent stale when the KB's enabled hint set changes).
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { isResultsFile, type ResultsFile } from '../../protocol/results';
import { isTrainingRunFolder } from '../../core/agent/runFolder';
import { checkTrainManifest, RUN_FILES } from '../../protocol/runFolder';

export interface RunFolder {
  id: string;
  dir: string;
  label: string;
  hasResults: boolean;
  /** First line of the researcher's notes on the run (shown under its label in pickers). */
  notes?: string;
  /** True when the folder is a training run, finished or not (isTrainingRunFolder); Evaluate also asks isFinishedTraining. */
  trained: boolean;
  /** KB fingerprint and hint ids the run used (from manifest.json or results.json). */
  kb?: { fingerprint: string; hintIds?: string[]; path?: string };
  mtimeMs: number;
}

/** A JSON file's value, or undefined when it is missing or unreadable (run folders are best-effort). */
export async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await fsp.readFile(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The KB a training run's manifest records (the run-folder contract's guard decides what a manifest
 * is).
 */
export function kbRefOf(manifest: unknown): RunFolder['kb'] {
  const r = checkTrainManifest(manifest);
  if (!('manifest' in r)) return undefined;
  // The training manifest records the KB path flat (`kbPath`): the stale-agent check matches on it.
  return { fingerprint: r.manifest.kbFingerprint, hintIds: r.manifest.hintIds, path: r.manifest.kbPath };
}

/** Newest first. A missing runs folder is no runs. */
export async function listRuns(runsDir: string): Promise<RunFolder[]> {
  let names: string[];
  try {
    // Hidden folders (`.staging` for reflection's KB copies) are not runs.
    names = (await fsp.readdir(runsDir, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name);
  } catch {
    return [];
  }
  const runs: RunFolder[] = [];
  for (const id of names) {
    const dir = join(runsDir, id);
    const results = await readJson(join(dir, 'results.json'));
    const manifest = await readJson(join(dir, RUN_FILES.manifest));
    const stat = await fsp.stat(dir);
    const r = isResultsFile(results) ? results : undefined;
    const trained = await isTrainingRunFolder(dir);
    runs.push({
      id,
      dir,
      label: runFolderLabel(id, r),
      hasResults: !!r,
      notes: r?.run.notes?.split('\n')[0],
      trained,
      kb: kbRefOf(manifest) ?? (r?.run.kb ? { fingerprint: r.run.kb.fingerprint, hintIds: r.run.kb.hintIds, path: r.run.kb.path } : undefined),
      mtimeMs: stat.mtimeMs,
    });
  }
  return runs.sort((a, b) => b.mtimeMs - a.mtimeMs || b.id.localeCompare(a.id));
}

/** The run's name (or id when unnamed), with a star in front when starred: the sidebar and the pickers show it. */
export function runFolderLabel(id: string, r: ResultsFile | undefined): string {
  return `${r?.run.starred ? '★ ' : ''}${r?.run.name ?? id}`;
}

export async function readResults(dir: string): Promise<ResultsFile | undefined> {
  const v = await readJson(join(dir, 'results.json'));
  return isResultsFile(v) ? v : undefined;
}
