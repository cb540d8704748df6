/**
 * The sidebar's parameters over the settings table: SIDEBAR_PARAMS (src/protocol/webview.ts)
 * names settings by key, and everything else comes from the table: the values shown (the resolved
 * config), their ranges, and the config layer a job gets (the keys are the settings' own).
 */
import type { ConfigLayer } from '../../core/config/resolve';
import { CONFIG_SPEC, type Re2llmConfig } from '../../core/config/defaults';
import { leaves, type Leaf } from '../../core/config/spec';
import { SIDEBAR_PARAMS, type SidebarParamKey, type SidebarParamLimits, type SidebarParams } from '../../protocol/webview';

const LEAVES = new Map<string, Leaf<unknown>>(leaves(CONFIG_SPEC));

/** The settings-table leaf of a parameter (every registry key is one: params.test.ts checks). */
export function paramLeaf(key: SidebarParamKey): Leaf<unknown> {
  const leaf = LEAVES.get(key);
  if (!leaf) throw new Error(`sidebar parameter ${key} is not a setting`);
  return leaf;
}

/** Value of a dotted key in a config. */
function valueAt(config: Re2llmConfig, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], config);
}

/** The sidebar's parameters as the resolved config sets them. */
export function paramsOf(config: Re2llmConfig): SidebarParams {
  return Object.fromEntries(SIDEBAR_PARAMS.map((e) => [e.key, valueAt(config, e.key)])) as SidebarParams;
}

/** Ranges of the integer parameters, as the settings table states them. */
export function paramLimits(): SidebarParamLimits {
  const out: Record<string, { minimum?: number; maximum?: number }> = {};
  for (const e of SIDEBAR_PARAMS) {
    if ('options' in e) continue;
    const s = paramLeaf(e.key).schema as { minimum?: number; maximum?: number };
    out[e.key] = { ...(s.minimum !== undefined ? { minimum: s.minimum } : {}), ...(s.maximum !== undefined ? { maximum: s.maximum } : {}) };
  }
  return out as SidebarParamLimits;
}

/** True when a value fits its setting: an integer in range, or one of the enum's values. */
export function paramValueValid(key: SidebarParamKey, value: unknown): boolean {
  const s = paramLeaf(key).schema as { type?: unknown; enum?: unknown[]; minimum?: number; maximum?: number };
  if (Array.isArray(s.enum)) return s.enum.includes(value);
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return false;
  return (s.minimum === undefined || value >= s.minimum) && (s.maximum === undefined || value <= s.maximum);
}

/** Config layer for the parameters given (they override settings for that one job). */
export function paramsLayer(p: Partial<SidebarParams>): ConfigLayer {
  return { source: 'sidebar parameters', values: Object.fromEntries(Object.entries(p).filter(([k, v]) => v !== undefined && LEAVES.has(k))) };
}
