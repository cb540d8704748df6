/**
 * The one HTML shell for every webview page (sidebar view, results panel): a fresh nonce per
 * render from crypto.randomBytes, CSP `default-src 'none'` with nonce-only scripts and styles, a
 * `csp-nonce` meta so the UI toolkit can nonce the <style> elements it injects, and resources
 * only from the extension's `dist/webview` and `media` folders.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** The roots a webview may load from (also its `localResourceRoots`). */
const WEBVIEW_ROOTS = ['dist/webview', 'media'] as const;

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export interface ShellOptions {
  /** `webview.cspSource`, for images from the allowed roots. */
  cspSource: string;
  title: string;
  /** Already converted with `webview.asWebviewUri`. */
  scriptUri: string;
  styleUris: string[];
  /** For tests; production leaves it out to get a fresh one. */
  nonce?: string;
  /** Extra attributes on <body> (data-page etc.). */
  bodyAttributes?: Record<string, string>;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function contentSecurityPolicy(nonce: string, cspSource: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function renderWebviewHtml(o: ShellOptions): string {
  const nonce = o.nonce ?? makeNonce();
  const body = Object.entries(o.bodyAttributes ?? {})
    .map(([k, v]) => ` ${esc(k)}="${esc(v)}"`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(nonce, o.cspSource))}">
<meta property="csp-nonce" content="${nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${o.styleUris.map((u) => `<link rel="stylesheet" nonce="${nonce}" href="${esc(u)}">`).join('\n')}
<title>${esc(o.title)}</title>
</head>
<body${body}>
<div id="root"></div>
<script nonce="${nonce}" src="${esc(o.scriptUri)}"></script>
</body>
</html>`;
}

/** Minimal structural view of a vscode.Webview, so this file needs no runtime `vscode`. */
export interface WebviewLike {
  cspSource: string;
  asWebviewUri(uri: { fsPath: string }): { toString(): string };
}

/** Options shared by creating and reviving a webview (same roots either way). */
export function webviewOptionsFor<U>(extensionPath: string, toUri: (path: string) => U): { enableScripts: true; localResourceRoots: U[] } {
  return { enableScripts: true, localResourceRoots: WEBVIEW_ROOTS.map((r) => toUri(join(extensionPath, r))) };
}

/** Every webview bundle (scripts/build.mjs builds one per page). */
export type WebviewPage = 'sidebar' | 'results' | 'runs' | 'curves' | 'promptDiff';

/** The page for one bundle: dist/webview/<page>.js + media/<page>.css. */
export function pageHtml(webview: WebviewLike, toUri: (path: string) => { fsPath: string }, extensionPath: string, page: WebviewPage, title: string): string {
  const uri = (p: string) => webview.asWebviewUri(toUri(join(extensionPath, p))).toString();
  return renderWebviewHtml({
    cspSource: webview.cspSource,
    title,
    scriptUri: uri(`dist/webview/${page}.js`),
    styleUris: [uri(`media/${page}.css`)],
    bodyAttributes: { 'data-page': page },
  });
}
