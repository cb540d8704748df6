/**
 * Writes the extension's parts of package.json: `npm run generate` (scripts/generate.ts) calls
 * applyManifest, and test/extension/manifest.test.ts fails on manifestDrift. Only the keys in
 * OWNED_KEYS are touched; "scripts", "dependencies" etc. are left as they are.
 */
import { manifestParts } from './manifest';

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
