/**
 * study.html: one self-contained page (no network) drawn by the same bundle as the VS Code study
 * panel (webview/study/main.ts), with the study embedded as JSON and the run report's nonce-only
 * CSP. Each cell links to its own report.html, relative to the study folder.
 */
import { existsSync, promises as fsp } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { StudyResults } from '../../protocol/study';
import { makeNonce, renderSelfContainedPage } from '../report/html';
import { writeFileAtomic } from '../util/fs';

export const STUDY_HTML_FILE = 'study.html';
/** Id of the embedded JSON element (webview/study/main.ts reads the same id). */
export const EMBEDDED_STUDY_ID = 're2llm-study-data';

export interface StudyPageAssets {
  bundleJs: string;
  css: string;
}

export function renderStudyHtml(results: StudyResults, assets: StudyPageAssets, reports: Record<string, string>, nonce: string = makeNonce()): string {
  return renderSelfContainedPage({
    nonce,
    title: `Re2LLM study: ${results.name}`,
    packageVersion: results.packageVersion,
    css: assets.css,
    dataId: EMBEDDED_STUDY_ID,
    data: { results, reports },
    bundleJs: assets.bundleJs,
    noscript: 'This page needs JavaScript to draw its tables and charts.',
  });
}

/** The study bundle and the CSS it uses, next to the running code (dist/) or in the repository. */
export async function findStudyAssets(baseDir: string = __dirname): Promise<StudyPageAssets> {
  const repo = resolve(baseDir, '..', '..', '..');
  const first = (paths: string[]): string | undefined => paths.find((p) => existsSync(p));
  const js = first([join(baseDir, 'webview', 'study.js'), join(repo, 'dist', 'webview', 'study.js')]);
  const results = first([join(baseDir, '..', 'media', 'results.css'), join(repo, 'media', 'results.css')]);
  const study = first([join(baseDir, '..', 'media', 'study.css'), join(repo, 'media', 'study.css')]);
  if (!js || !results || !study) throw new Error('the study page bundle or its CSS is missing (dist/webview/study.js, media/results.css, media/study.css); run `npm run build`');
  return { bundleJs: await fsp.readFile(js, 'utf8'), css: `${await fsp.readFile(results, 'utf8')}\n${await fsp.readFile(study, 'utf8')}` };
}

/** Links from the study folder to each finished cell's report (only reports inside the folder). */
export function reportLinks(outDir: string, results: StudyResults): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of results.cells) {
    if (!c.reportPath) continue;
    const rel = relative(outDir, c.reportPath);
    if (!rel.startsWith('..')) out[c.id] = rel.split(sep).join('/');
  }
  return out;
}

export async function writeStudyHtml(outDir: string, results: StudyResults, assets?: StudyPageAssets): Promise<string> {
  const path = join(outDir, STUDY_HTML_FILE);
  await writeFileAtomic(path, renderStudyHtml(results, assets ?? (await findStudyAssets()), reportLinks(outDir, results)));
  return path;
}
