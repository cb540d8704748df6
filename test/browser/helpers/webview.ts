/**
 * Loading a webview bundle outside VS Code: build it with esbuild (so a test never depends on an
 * earlier build) and wrap it in a page like the extension's (nonce-only CSP, `csp-nonce` meta for
 * toolkits that inject styles) with a stub `acquireVsCodeApi` that records what the bundle posts
 * and stores.
 *
 *   const js = await buildWebviewBundle('webview/results/main.ts');
 *   await page.setContent(webviewHarnessHtml({ bundleJs: js, css }));
 *   await waitForPageCondition(page, "window.__posted.length > 0");
 *   await postToWebview(page, { type: 'results/show', runs });
 */
import { build } from 'esbuild';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';

/** Bundles a webview entry as scripts/build.mjs does (browser, iife, es2022), in memory. */
export async function buildWebviewBundle(entry: string): Promise<string> {
  const r = await build({
    entryPoints: [resolve(entry)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'silent',
  });
  return r.outputFiles[0]!.text;
}

const HARNESS_NONCE = 'dGVzdC1ub25jZS0xMjM0NTY3OA==';

export interface HarnessOptions {
  bundleJs: string;
  css?: string;
  /** What getState() returns at start (a reloaded webview). */
  initialState?: unknown;
  /** Extra body HTML before the script (a root element, for instance). */
  bodyHtml?: string;
}

/**
 * A page shaped like a VS Code webview (load it into a fresh document: `page.goto('about:blank')`
 * before a second `setContent`, which would otherwise write into the same window). The stub API records into `window.__posted` (messages)
 * and `window.__stateWrites` (setState calls); `window.__state` is the current state.
 */
export function webviewHarnessHtml(o: HarnessOptions): string {
  const n = HARNESS_NONCE;
  const csp = `default-src 'none'; script-src 'nonce-${n}'; style-src 'nonce-${n}'; img-src data:; font-src data:`;
  const stub = `(() => {
    window.__posted = [];
    window.__stateWrites = 0;
    window.__state = ${JSON.stringify(o.initialState ?? null).replace(/</g, '\\u003c')};
    let acquired = false;
    window.acquireVsCodeApi = function () {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m) => { window.__posted.push(JSON.parse(JSON.stringify(m))); },
        getState: () => window.__state === null ? undefined : window.__state,
        setState: (s) => { window.__stateWrites++; window.__state = JSON.parse(JSON.stringify(s)); return s; },
      };
    };
  })();`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta property="csp-nonce" content="${n}">
${o.css ? `<style nonce="${n}">${o.css.replace(/<\/style/gi, '<\\/style')}</style>` : ''}
</head><body class="vscode-light">${o.bodyHtml ?? ''}
<script nonce="${n}">${stub}</script>
<script nonce="${n}">${o.bundleJs.replace(/<\/script/gi, '<\\/script')}</script>
</body></html>`;
}

/** Sends a host message to the webview (as VS Code does, through window.postMessage). */
export async function postToWebview(page: Page, message: unknown): Promise<void> {
  await page.evaluate(`window.postMessage(${JSON.stringify(message).replace(/</g, '\\u003c')}, '*')`);
}

/** Messages the webview posted so far. */
export async function postedMessages<T = { type: string }>(page: Page): Promise<T[]> {
  return (await page.evaluate('window.__posted')) as T[];
}
