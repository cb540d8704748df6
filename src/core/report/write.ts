/**
 * Reading a run's results.json and writing its report.html. The results bundle and CSS are found
 * next to the running code: dist/webview/results.js and media/results.css when running from
 * dist/cli.js (or the extension), the repository's dist/ and media/ when running from source.
 */
import { promises as fsp, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { isResultsFile, READABLE_RESULTS_VERSIONS, type ResultsFile } from '../../protocol/results';
import { InputError } from '../util/errors';
import { writeFileAtomic } from '../util/fs';
import { silentLogger, type Logger } from '../util/log';
import { renderReportHtml, type ReportAssets } from './html';

export const RESULTS_FILE = 'results.json';
export const REPORT_FILE = 'report.html';

/** Reads and checks runDir/results.json (or a results.json path given directly). */
export async function loadResults(runDirOrFile: string): Promise<ResultsFile> {
  const file = runDirOrFile.endsWith('.json') ? runDirOrFile : join(runDirOrFile, RESULTS_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no results here (run `re2llm evaluate` first)' : (err as Error).message, file);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError(`invalid JSON: ${(err as Error).message}`, file, jsonErrorLine(text));
  }
  if (!isResultsFile(data)) {
    const d = data as Record<string, unknown> | null;
    const field = !d || typeof d !== 'object' ? undefined : !READABLE_RESULTS_VERSIONS.includes(d.schemaVersion as number) ? 'schemaVersion' : !Array.isArray(d.conditions) ? 'conditions' : 'run';
    throw new InputError(`not a Re2LLM results file (schemaVersion ${READABLE_RESULTS_VERSIONS.join(' or ')} with run and conditions expected)`, file, undefined, field);
  }
  return data;
}

/** 1-based line of the first JSON syntax error (JSON.parse's message has no position on Node 20). */
function jsonErrorLine(text: string): number | undefined {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false });
  return errors[0] ? text.slice(0, errors[0].offset).split('\n').length : undefined;
}

/** Where the built bundle and CSS may live, nearest first. */
export function assetCandidates(baseDir: string = __dirname): { js: string[]; css: string[] } {
  const repo = resolve(baseDir, '..', '..', '..');
  return {
    js: [join(baseDir, 'webview', 'results.js'), join(repo, 'dist', 'webview', 'results.js')],
    css: [join(baseDir, '..', 'media', 'results.css'), join(repo, 'media', 'results.css')],
  };
}

/** Loads the results bundle and CSS; fails with what to do when the bundle was not built. */
export async function findReportAssets(baseDir: string = __dirname): Promise<ReportAssets> {
  const c = assetCandidates(baseDir);
  const js = c.js.find((p) => existsSync(p));
  const css = c.css.find((p) => existsSync(p));
  if (!js) throw new Error(`the results bundle is missing (looked for ${c.js.join(', ')}); run \`npm run build\``);
  if (!css) throw new Error(`media/results.css is missing (looked for ${c.css.join(', ')})`);
  return { bundleJs: await fsp.readFile(js, 'utf8'), css: await fsp.readFile(css, 'utf8') };
}

export interface WriteReportOptions {
  /** Output file; default runDir/report.html. */
  out?: string;
  /** More run folders to compare with (the first runDir is the reference). */
  compareWith?: string[];
  /** Prebuilt assets (tests build the bundle on the fly); default: found next to the code. */
  assets?: ReportAssets;
  logger?: Logger;
}

export interface WriteReportResult {
  path: string;
  bytes: number;
  runs: string[];
}

export async function writeReport(runDir: string, opts: WriteReportOptions = {}): Promise<WriteReportResult> {
  const logger = opts.logger ?? silentLogger;
  const runs = [await loadResults(runDir)];
  for (const other of opts.compareWith ?? []) runs.push(await loadResults(other));
  const assets = opts.assets ?? (await findReportAssets());
  const html = renderReportHtml(runs, assets);
  const path = opts.out ?? join(runDir, REPORT_FILE);
  await writeFileAtomic(path, html);
  const bytes = Buffer.byteLength(html);
  logger.log('info', `report written: ${path} (${(bytes / 1024).toFixed(0)} KiB, ${runs.length} run${runs.length > 1 ? 's' : ''})`);
  return { path, bytes, runs: runs.map((r) => r.run.id) };
}
