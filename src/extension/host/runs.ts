/**
 * Run folders under `output.runsDir`: which have results, which trained an agent, and on which KB
 * fingerprint (to mark an agent stale when the KB's enabled hint set changes).
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { isResultsFile, type ResultsFile } from '../../protocol/results';
import { exists } from '../../core/util/fs';

export interface RunFolder {
  id: string;
  dir: string;
  label: string;
  hasResults: boolean;
  /** First line of the researcher's notes on the run (shown under its label in pickers). */
  notes?: string;
  /** True when the folder holds a trained agent (agent.onnx, checkpoints or a training curve). */
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

/** Tolerant reading of a manifest's KB reference: `{kb: {fingerprint, hintIds}}` or flat keys. */
export function kbRefOf(manifest: unknown): RunFolder['kb'] {
  if (!manifest || typeof manifest !== 'object') return undefined;
  const m = manifest as Record<string, unknown>;
  const kb = (m.kb && typeof m.kb === 'object' ? m.kb : {}) as Record<string, unknown>;
  const fingerprint = (kb.fingerprint ?? m.kbFingerprint) as unknown;
  if (typeof fingerprint !== 'string') return undefined;
  const ids = (kb.hintIds ?? m.hintIds) as unknown;
  // The training manifest records the KB path flat (`kbPath`).
  const path = kb.path ?? m.kbPath;
  return { fingerprint, hintIds: Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : undefined, path: typeof path === 'string' ? path : undefined };
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
    const manifest = await readJson(join(dir, 'manifest.json'));
    const stat = await fsp.stat(dir);
    const r = isResultsFile(results) ? results : undefined;
    const trained = (await exists(join(dir, 'agent.onnx'))) || (await exists(join(dir, 'checkpoints'))) || (await exists(join(dir, 'metrics.jsonl')));
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
