import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configJsonSchema, vscodeConfiguration } from '../../../src/core/config/resolve';
import { EXTENSION_ONLY_SETTINGS } from '../../../src/core/config/extensionSettings';

test('schemas/config.schema.json is generated from the settings table (run `npm run generate`)', () => {
  const onDisk = JSON.parse(readFileSync('schemas/config.schema.json', 'utf8'));
  assert.deepEqual(onDisk, configJsonSchema());
});

test('package.json contributes.configuration matches the settings table (run `npm run generate`)', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  assert.deepEqual(pkg.contributes.configuration.properties, { ...vscodeConfiguration(), ...EXTENSION_ONLY_SETTINGS });
});
