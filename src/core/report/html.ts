/**
 * The standalone HTML report: one self-contained page (no network) with the results bundle and
 * its CSS inlined, the runs embedded as JSON, and a nonce-only CSP (`default-src 'none'`). The
 * page is rendered by the same bundle as the VS Code results panel (webview/results/main.ts),
 * which reads the embedded data when there is no VS Code API.
 */
import { randomBytes } from 'node:crypto';
import type { ResultsFile } from '../../protocol/results';

/** Id of the embedded JSON element (webview/results/main.ts reads the same id). */
export const EMBEDDED_DATA_ID = 're2llm-data';

export interface ReportAssets {
  /** The built results bundle (dist/webview/results.js). */
  bundleJs: string;
  /** media/results.css */
  css: string;
}

export interface RenderOptions {
  /** Fixed nonce (tests); a fresh random one otherwise. */
  nonce?: string;
  title?: string;
}

/**
 * JSON safe to place inside a <script> element: `<` (so no `</script>` or `<!--` can end or
 * confuse the element), `>`, `&` and the JS line separators U+2028/2029 are written as \u
 * escapes, which JSON.parse reads back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Script text safe inside <script>: an end tag can only appear inside a string, regex or comment
 * of valid JS, where `<\/` means the same. `<!--` would switch the HTML parser into its escaped
 * script state, so refuse it rather than guess (the bundle does not contain it; a test checks).
 */
export function scriptForHtml(js: string): string {
  if (/<!--/.test(js)) throw new Error('results bundle contains "<!--", which cannot be inlined safely');
  return js.replace(/<\/(script)/gi, '<\\/$1');
}

/** CSS safe inside <style>: only `</style` could end it early. */
export function styleForHtml(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** For double-quoted attribute values (keeps the CSP's single quotes readable). */
function escapeAttr(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

/** The report's Content-Security-Policy: nothing but this page's own nonce'd script and style. */
export function reportCsp(nonce: string): string {
  return [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src 'nonce-${nonce}'`, `img-src data:`, `base-uri 'none'`, `form-action 'none'`].join('; ');
}

/** What one self-contained page (the run report, study.html) is made of. */
export interface SelfContainedPage {
  nonce: string;
  title: string;
  packageVersion: string;
  css: string;
  /** Id of the embedded JSON element the bundle reads. */
  dataId: string;
  data: unknown;
  bundleJs: string;
  /** Shown when JavaScript is off. */
  noscript: string;
}

/** A page with no network access: its data as JSON, its bundle and CSS inline under reportCsp. */
export function renderSelfContainedPage(p: SelfContainedPage): string {
  if (!/^[A-Za-z0-9+/=_-]+$/.test(p.nonce)) throw new Error('nonce must be base64');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(reportCsp(p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Re2LLM Studio ${escapeHtml(p.packageVersion)}">
<title>${escapeHtml(p.title)}</title>
<style nonce="${p.nonce}">
${styleForHtml(p.css)}
</style>
</head>
<body>
<main id="re2llm-results"><noscript>${escapeHtml(p.noscript)}</noscript></main>
<script type="application/json" id="${p.dataId}">${jsonForScript(p.data)}</script>
<script nonce="${p.nonce}">
${scriptForHtml(p.bundleJs)}
</script>
</body>
</html>
`;
}

export function renderReportHtml(results: ResultsFile | ResultsFile[], assets: ReportAssets, opts: RenderOptions = {}): string {
  const runs = Array.isArray(results) ? results : [results];
  const ref = runs[0];
  return renderSelfContainedPage({
    nonce: opts.nonce ?? makeNonce(),
    title: opts.title ?? (ref ? `Re2LLM results: ${ref.run.name ?? ref.run.id}` : 'Re2LLM results'),
    packageVersion: ref?.run.packageVersion ?? '',
    css: assets.css,
    dataId: EMBEDDED_DATA_ID,
    data: runs,
    bundleJs: assets.bundleJs,
    noscript: 'This report needs JavaScript to draw its tables and charts.',
  });
}
