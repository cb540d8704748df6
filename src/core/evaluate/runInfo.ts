/**
 * A researcher's own annotations on a run — its name, a star and free notes — stored in the run's
 * `results.json` (`run.name`, `run.starred`, `run.notes`), so they travel with the folder and show
 * in the results panel, the sidebar, Compare Runs and the HTML report. Used by the extension's
 * results panel and by `re2llm runs annotate`.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { isResultsFile, READABLE_RESULTS_VERSIONS, type ResultsFile } from '../../protocol/results';
import { RUN_INFO_LIMITS } from '../../protocol/webview';
import { writeJsonAtomic } from '../util/fs';
import { InputError } from '../util/errors';
import { RESULTS_FILE } from './output';

/** Fields to change; absent ones are kept. An empty name or notes removes it; `starred: false` removes the star. */
export interface RunInfoPatch {
  name?: string;
  starred?: boolean;
  notes?: string;
}

/** Checks a patch from any caller (CLI flags, a webview message already checked once): bounded strings, a boolean star. */
export function checkRunInfoPatch(patch: RunInfoPatch, file?: string): void {
  if (patch.name !== undefined && (typeof patch.name !== 'string' || patch.name.length > RUN_INFO_LIMITS.name)) {
    throw new InputError(`a run name is a string of at most ${RUN_INFO_LIMITS.name} characters`, file, undefined, 'name');
  }
  if (patch.notes !== undefined && (typeof patch.notes !== 'string' || patch.notes.length > RUN_INFO_LIMITS.notes)) {
    throw new InputError(`run notes are a string of at most ${RUN_INFO_LIMITS.notes} characters`, file, undefined, 'notes');
  }
  if (patch.starred !== undefined && typeof patch.starred !== 'boolean') throw new InputError('starred must be true or false', file, undefined, 'starred');
}

/**
 * Applies the patch to `<runDir>/results.json` and writes it back atomically. The file is read
 * here, immediately before the write, never taken from a caller's older copy: a panel may show a
 * snapshot from minutes ago while the evaluator or the CLI changed the file since, and only the
 * three annotation fields may change. Every other field (including ones this version does not
 * know) is written back as read. A file that is missing, not JSON or not a results file throws an
 * InputError naming it, and nothing is written.
 */
export async function updateRunInfo(runDir: string, patch: RunInfoPatch): Promise<ResultsFile> {
  const file = join(runDir, RESULTS_FILE);
  checkRunInfoPatch(patch, file);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no results.json in this run folder' : `cannot read: ${(err as Error).message}`, file);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError(`invalid JSON: ${(err as Error).message}`, file);
  }
  if (!isResultsFile(data)) throw new InputError(`not a Re2LLM results file (schemaVersion ${READABLE_RESULTS_VERSIONS.join(' or ')} with run and conditions expected)`, file, undefined, 'run');
  const run = data.run;
  if (patch.name !== undefined) {
    // One line: the name is a label in lists, tab titles and chart legends.
    const name = patch.name.replace(/\s+/g, ' ').trim();
    if (name) run.name = name;
    else delete run.name;
  }
  if (patch.starred !== undefined) {
    if (patch.starred) run.starred = true;
    else delete run.starred;
  }
  if (patch.notes !== undefined) {
    const notes = patch.notes.replace(/\r\n/g, '\n').trim();
    if (notes) run.notes = notes;
    else delete run.notes;
  }
  await writeJsonAtomic(file, data);
  return data;
}
