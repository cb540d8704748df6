/**
 * The import boundaries are enforced by `npm run lint` (eslint.config.mjs: no cycles, the core's
 * layers, vscode only in src/extension, openai only in src/core/llm, webview/ only on
 * src/protocol, no printing or Math.random in the core). What lint cannot see is checked here:
 * that every core folder has a layer (a new folder outside the table would be unchecked), that
 * the README's "Layering" table is the lint's, and that the rules do refuse what they promise to.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';

async function coreLayers(): Promise<string[][]> {
  const config = (await import(pathToFileURL(resolve('eslint.config.mjs')).href)) as { CORE_LAYERS: string[][] };
  return config.CORE_LAYERS;
}

test('every folder of src/core sits in exactly one layer of the lint config', async () => {
  const folders = readdirSync(join('src', 'core')).filter((f) => statSync(join('src', 'core', f)).isDirectory());
  const layered = (await coreLayers()).flat();
  assert.equal(new Set(layered).size, layered.length, 'a folder is listed twice');
  assert.deepEqual([...layered].sort(), [...folders].sort());
});

test("the README's Layering table is the lint config's", async () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('### Layering'));
  const rows = [...section.matchAll(/^\| (\d+) \| ([a-z, ]+) \|/gm)].map((m) => [Number(m[1]), m[2]!.split(',').map((s) => s.trim())] as const);
  const layers = await coreLayers();
  assert.equal(rows.length, layers.length);
  for (const [level, folders] of rows) assert.deepEqual(folders, layers[level], `layer ${level}`);
});

test('the lint refuses an upward import, a front end from the core, Node in a webview and vscode outside the extension', async () => {
  const eslint = new ESLint();
  const probe = async (file: string, code: string): Promise<string[]> => {
    const [r] = await eslint.lintText(code, { filePath: resolve(file) });
    return r!.messages.map((m) => m.ruleId ?? m.message);
  };
  assert.deepEqual(await probe('src/core/util/probe.ts', "import { defaultKbPath } from '../run/paths';\nexport const p = defaultKbPath;\n"), ['import-x/no-restricted-paths']);
  assert.deepEqual(await probe('src/core/reflect/probe.ts', "import { SknnRanker } from '../baselines/sknn';\nexport const p = SknnRanker;\n"), ['import-x/no-restricted-paths'], 'same layer');
  assert.deepEqual(await probe('src/core/run/probe.ts', "import { buildProgram } from '../../cli/main';\nexport const p = buildProgram;\n"), ['import-x/no-restricted-paths']);
  assert.deepEqual(await probe('src/core/run/probe.ts', "import { reflectionResponders } from '../sim/reflectionResponder';\nexport const p = reflectionResponders;\n"), [], 'a lower layer is fine');
  assert.deepEqual(await probe('webview/shared/probe.ts', "import { readFileSync } from 'node:fs';\nexport const p = readFileSync;\n"), ['no-restricted-imports']);
  assert.deepEqual(await probe('webview/shared/probe.ts', "import { Rng } from '../../src/core/util/rng';\nexport const p = Rng;\n"), ['import-x/no-restricted-paths']);
  assert.deepEqual(await probe('src/core/kb/probe.ts', "import * as vscode from 'vscode';\nexport const p = vscode;\n"), ['no-restricted-imports']);
  assert.deepEqual(await probe('src/core/encode/probe.ts', "import OpenAI from 'openai';\nexport const p = OpenAI;\n"), ['no-restricted-imports']);
  assert.deepEqual(await probe('src/core/metrics/probe.ts', 'export const p = () => { console.log(Math.random()); };\n'), ['no-console', 'no-restricted-properties']);
});

test('npm test runs the lint after the type check', () => {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  assert.match(scripts.test!, /npm run typecheck && npm run lint/);
  assert.match(scripts.lint!, /eslint --max-warnings 0 \./);
});
