/**
 * Writes the files derived from the settings table: schemas/config.schema.json and
 * package.json's contributes.configuration. Run `npm run generate` after changing
 * src/core/config/defaults.ts; a test fails when either has drifted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { configJsonSchema, vscodeConfiguration } from '../src/core/config/resolve';
import { EXTENSION_ONLY_SETTINGS } from '../src/core/config/extensionSettings';

const schemaText = JSON.stringify(configJsonSchema(), null, 2) + '\n';
writeFileSync('schemas/config.schema.json', schemaText);

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
pkg.contributes ??= {};
pkg.contributes.configuration = {
  title: 'Re2LLM',
  properties: { ...vscodeConfiguration(), ...EXTENSION_ONLY_SETTINGS },
};
writeFileSync('package.json', JSON.stringify(pkg, null, 2) + '\n');
console.error('wrote schemas/config.schema.json and package.json contributes.configuration');
