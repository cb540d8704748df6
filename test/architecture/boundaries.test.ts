/**
 * The import boundaries of CONTRIBUTING, enforced: the core never imports vscode and never prints,
 * only src/core/llm imports openai, webviews import no node:* modules, only src/extension
 * imports vscode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}
const importsOf = (text: string): string[] =>
  [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);

test('only src/extension imports vscode', () => {
  for (const f of [...files('src'), ...files('webview')]) {
    if (f.startsWith(join('src', 'extension'))) continue;
    assert.ok(!importsOf(readFileSync(f, 'utf8')).includes('vscode'), `${f} imports vscode`);
  }
});

test('only src/core/llm imports openai', () => {
  for (const f of files('src')) {
    if (f.startsWith(join('src', 'core', 'llm'))) continue;
    assert.ok(!importsOf(readFileSync(f, 'utf8')).some((m) => m === 'openai' || m.startsWith('openai/')), `${f} imports openai`);
  }
});

test('the core never prints, exits or uses Math.random', () => {
  for (const f of files(join('src', 'core'))) {
    const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    assert.ok(!/\bconsole\.(log|error|warn|info|debug)\(/.test(text), `${f} prints`);
    assert.ok(!/\bprocess\.(exit|send)\(/.test(text), `${f} calls process.exit/send`);
    assert.ok(!/\bMath\.random\(/.test(text), `${f} uses Math.random (use util/rng.ts)`);
  }
});

test('webviews import no node modules', () => {
  for (const f of files('webview')) {
    const bad = importsOf(readFileSync(f, 'utf8')).filter((m) => m.startsWith('node:') || ['fs', 'path', 'child_process', 'crypto'].includes(m));
    assert.deepEqual(bad, [], `${f} imports ${bad.join(', ')}`);
  }
});
