import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, renderWebviewHtml, webviewOptionsFor } from '../../src/extension/webviewHtml';

test('the shell: nonce-only CSP with default-src none, csp-nonce meta, nonce on every script and style', () => {
  const html = renderWebviewHtml({ cspSource: 'vscode-resource:', title: 'T <x>', scriptUri: 'https://x/dist/webview/sidebar.js', styleUris: ['https://x/media/sidebar.css'], nonce: 'abc123' });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
  assert.match(csp, /^default-src 'none'/);
  assert.match(csp, /script-src 'nonce-abc123'(;|$)/);
  assert.match(csp, /style-src 'nonce-abc123'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  assert.match(html, /<meta property="csp-nonce" content="abc123">/);
  assert.match(html, /<script nonce="abc123" src="https:\/\/x\/dist\/webview\/sidebar\.js">/);
  assert.match(html, /<link rel="stylesheet" nonce="abc123" href="https:\/\/x\/media\/sidebar\.css">/);
  assert.match(html, /<title>T &lt;x&gt;<\/title>/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
});

test('a fresh nonce per render, long and alphanumeric', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const n = makeNonce();
    assert.match(n, /^[A-Za-z0-9]{16,}$/);
    seen.add(n);
  }
  assert.equal(seen.size, 50);
  const a = renderWebviewHtml({ cspSource: 's', title: 't', scriptUri: 'u', styleUris: [] });
  const b = renderWebviewHtml({ cspSource: 's', title: 't', scriptUri: 'u', styleUris: [] });
  assert.notEqual(/nonce-([A-Za-z0-9]+)/.exec(a)![1], /nonce-([A-Za-z0-9]+)/.exec(b)![1]);
  assert.match(contentSecurityPolicy('n', 'src:'), /img-src src: data:/);
});

test('local resource roots are only dist/webview and media', () => {
  const o = webviewOptionsFor('/ext', (p) => p);
  assert.deepEqual(o.localResourceRoots, ['/ext/dist/webview', '/ext/media']);
  assert.equal(o.enableScripts, true);
});
