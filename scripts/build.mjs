// Bundles every entry point with esbuild. Entries that do not exist yet are skipped so the
// build stays green while the project grows.
import { build } from 'esbuild';
import { existsSync, mkdirSync, cpSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'node20' };

const nodeEntries = [
  { in: 'src/cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  { in: 'src/worker/main.ts', out: 'dist/worker.js' },
  { in: 'src/extension/extension.ts', out: 'dist/extension.js' },
];
const webEntries = [
  { in: 'webview/sidebar/main.ts', out: 'dist/webview/sidebar.js' },
  { in: 'webview/results/main.ts', out: 'dist/webview/results.js' },
  { in: 'webview/study/main.ts', out: 'dist/webview/study.js' },
  { in: 'webview/runs/main.ts', out: 'dist/webview/runs.js' },
  { in: 'webview/curves/main.ts', out: 'dist/webview/curves.js' },
  { in: 'webview/promptDiff/main.ts', out: 'dist/webview/promptDiff.js' },
];

mkdirSync('dist/webview', { recursive: true });
const jobs = [];
for (const e of nodeEntries.filter((e) => existsSync(e.in))) {
  jobs.push(build({
    ...common,
    entryPoints: [e.in],
    outfile: e.out,
    platform: 'node',
    format: 'cjs',
    // jsonc-parser's UMD "main" uses dynamic requires esbuild cannot follow; its ESM build bundles cleanly.
    mainFields: ['module', 'main'],
    // vscode is provided by the host; onnxruntime-node ships native binaries and is loaded lazily.
    external: ['vscode', 'onnxruntime-node'],
    banner: e.banner ? { js: e.banner } : undefined,
  }));
}
for (const e of webEntries.filter((e) => existsSync(e.in))) {
  jobs.push(build({
    ...common,
    entryPoints: [e.in],
    outfile: e.out,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    // Webview bundles ship in the VSIX and load with every panel (chart.js, the toolkit): minified,
    // with their source maps beside them for debugging (maps stay out of the VSIX).
    minify: !watch,
  }));
}
await Promise.all(jobs);
if (existsSync('src/core/config/schemas')) cpSync('src/core/config/schemas', 'dist/schemas', { recursive: true });
if (!watch) console.error(`built ${jobs.length} bundles`);
