// ESLint (flat config): typescript-eslint's recommended rules, plus the import boundaries the
// README's "Layering" section writes down. `npm run lint` runs it; `npm test` runs lint after the
// type check. The layer table below is the one source: the README mirrors it and
// test/architecture/boundaries.test.ts checks that the two agree.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * The folders of src/core, bottom layer first. A folder may import folders of lower layers only
 * (never its own layer's other folders, never a higher one). Derived from the imports as they
 * are: each folder sits one layer above the highest folder it imports.
 */
export const CORE_LAYERS = [
  ['util'],
  ['config', 'kb', 'metrics', 'report'],
  ['data', 'llm'],
  ['parse', 'prompts'],
  ['rank', 'encode'],
  ['baselines', 'reflect', 'agent'],
  ['sim', 'evaluate'],
  ['plan'],
  ['run'],
  ['study'],
];

/** One no-restricted-paths zone per core folder: everything at its layer or above is out of reach. */
function layerZones() {
  return CORE_LAYERS.flatMap((layer, level) =>
    layer.map((folder) => ({
      target: `./src/core/${folder}`,
      from: CORE_LAYERS.slice(level)
        .flat()
        .filter((other) => other !== folder)
        .map((other) => `./src/core/${other}`),
      message: `src/core/${folder} is in layer ${level} of the README's "Layering": it may import only lower layers (${CORE_LAYERS.slice(0, level).flat().join(', ') || 'none'}).`,
    })),
  ).filter((zone) => zone.from.length > 0);
}

const restrictedImport = (name, where) => ({ name, message: `${name} may be imported only in ${where}.` });

export default tseslint.config(
  {
    ignores: ['dist/**', 'out/**', 'node_modules/**', '.tools/**', 'test-artifacts/**', 'examples/**', 'media/**', 're2llm-runs/**', '.re2llm-cache/**'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs'],
    plugins: { 'import-x': importX },
    settings: {
      // Without these, import-x cannot parse the files an import leads to, and no-cycle sees no cycle.
      'import-x/extensions': ['.ts', '.mjs', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.json', 'webview/tsconfig.json'], noWarnOnMultipleProjects: true })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...layerZones(),
            { target: './src/core', from: ['./src/extension', './src/cli', './src/worker'], message: 'src/core is the pure library: front ends import it, never the reverse.' },
            { target: './src/worker', from: ['./src/extension', './src/cli'], message: 'src/worker is started by the front ends; it imports only src/core and src/protocol.' },
            { target: './src/cli', from: './src/extension', message: 'The CLI and the extension are separate front ends over the core.' },
            { target: './src/extension', from: './src/cli', message: 'The CLI and the extension are separate front ends over the core.' },
            {
              target: './src/protocol',
              from: './src',
              except: ['./protocol', './core/config/defaults.ts'],
              message: 'src/protocol holds contracts (types, guards, registries) that both sides import: it imports nothing else (but the config type).',
            },
            { target: './webview', from: './src', except: ['./protocol'], message: 'webview/ may import only src/protocol/ (and itself).' },
          ],
        },
      ],
      // Unused code is the compiler's job (noUnusedLocals / noUnusedParameters in both tsconfigs).
      '@typescript-eslint/no-unused-vars': 'off',
      // `let view; ...; view = new View(() => view?.x)`: the callbacks read it before it is assigned.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Tests reach into modules lazily (require after a stub is in place) and feed deliberately
    // malformed values to guards; neither is worth a type gymnastics in a test.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The worker's start message carries a resolved config: its type, and only its type, comes
    // from the settings table (src/core/config/defaults.ts).
    files: ['src/protocol/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../core/*', '../core/**'], allowTypeImports: true, message: 'src/protocol may use types of src/core/config/defaults.ts only.' }] },
      ],
    },
  },
  {
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    ignores: ['src/extension/**', 'src/core/llm/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [restrictedImport('vscode', 'src/extension/'), restrictedImport('openai', 'src/core/llm/')],
          patterns: [{ group: ['openai/*'], message: 'openai may be imported only in src/core/llm/.' }],
        },
      ],
    },
  },
  {
    files: ['src/core/llm/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [restrictedImport('vscode', 'src/extension/')] }],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [restrictedImport('vscode', 'src/extension/'), restrictedImport('openai', 'src/core/llm/')],
          patterns: [
            { regex: '^node:', message: 'webview/ runs in a browser: no Node modules.' },
            { group: ['fs', 'path', 'child_process', 'crypto', 'os'], message: 'webview/ runs in a browser: no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    // The core never prints, exits, talks IPC or draws unseeded random numbers (util/rng.ts).
    files: ['src/core/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use the seeded src/core/util/rng.ts.' },
        { object: 'process', property: 'exit', message: 'The core returns or throws; front ends decide the exit code.' },
        { object: 'process', property: 'send', message: 'IPC belongs to src/worker/.' },
      ],
    },
  },
);
