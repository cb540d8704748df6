/**
 * Prints or writes the extension's parts of package.json.
 *   node --import tsx src/extension/manifest/generate.ts              prints contributes.configuration
 *   node --import tsx src/extension/manifest/generate.ts --all        prints every owned part
 *   node --import tsx src/extension/manifest/generate.ts --write      writes every owned part into package.json
 *   node --import tsx src/extension/manifest/generate.ts --check      exits 1 if package.json differs
 * Only the keys in OWNED_KEYS are touched; "scripts", "dependencies" etc. are left as they are.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contributesConfiguration, manifestParts } from './manifest';

export const OWNED_KEYS = ['main', 'icon', 'galleryBanner', 'activationEvents', 'capabilities', 'contributes'] as const;

/** package.json with the owned keys replaced (other keys keep their order and values). */
export function applyManifest(pkg: Record<string, unknown>): Record<string, unknown> {
  const parts = manifestParts();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(pkg)) {
    out[k] = (OWNED_KEYS as readonly string[]).includes(k) ? parts[k] : v;
    // New owned keys go right after "main", where a reader of the manifest looks for them.
    if (k === 'main') for (const o of OWNED_KEYS) if (!(o in pkg)) out[o] = parts[o];
  }
  for (const o of OWNED_KEYS) if (!(o in out)) out[o] = parts[o];
  return out;
}

/** Owned keys whose value in package.json differs from the generated one. */
export function manifestDrift(pkg: Record<string, unknown>): string[] {
  const parts = manifestParts();
  return OWNED_KEYS.filter((k) => JSON.stringify(pkg[k]) !== JSON.stringify(parts[k]));
}

function main(argv: string[]): number {
  const file = join(process.cwd(), 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  if (argv.includes('--write')) {
    writeFileSync(file, JSON.stringify(applyManifest(pkg), null, 2) + '\n');
    process.stderr.write(`package.json: wrote ${OWNED_KEYS.join(', ')}\n`);
    return 0;
  }
  if (argv.includes('--check')) {
    const drift = manifestDrift(pkg);
    if (drift.length) process.stderr.write(`package.json differs from the generated manifest in: ${drift.join(', ')} (run with --write)\n`);
    return drift.length ? 1 : 0;
  }
  const value = argv.includes('--all') ? manifestParts() : contributesConfiguration();
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  return 0;
}

if (process.argv[1] && /generate\.ts$/.test(process.argv[1])) process.exitCode = main(process.argv.slice(2));
