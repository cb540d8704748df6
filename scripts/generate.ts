/**
 * The one generator: writes every file derived from a table in the code.
 *   - schemas/config.schema.json from the settings table (src/core/config/defaults.ts);
 *   - package.json's extension manifest (contributes: commands, menus, configuration, walkthrough;
 *     activationEvents; capabilities) from src/extension/manifest/ (the command table, the
 *     settings table, the Restricted Mode keys).
 * Run `npm run generate` after changing any of them; tests fail when a generated file has drifted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { configJsonSchema } from '../src/core/config/resolve';
import { applyManifest, OWNED_KEYS } from '../src/extension/manifest/packageJson';

writeFileSync('schemas/config.schema.json', JSON.stringify(configJsonSchema(), null, 2) + '\n');

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, unknown>;
writeFileSync('package.json', JSON.stringify(applyManifest(pkg), null, 2) + '\n');
console.error(`wrote schemas/config.schema.json and package.json (${OWNED_KEYS.join(', ')})`);
