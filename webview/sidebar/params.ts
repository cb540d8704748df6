/**
 * The sidebar's parameter fields, from the one registry (SIDEBAR_PARAMS): parsing against the
 * ranges the host sends from the settings table (it checks the same on arrival).
 */
import { SIDEBAR_PARAMS, type NumericParamKey, type SidebarParamLimits, type SidebarParams } from '../../src/protocol/webview';

type Entry = (typeof SIDEBAR_PARAMS)[number];

/** The integer parameters, in registry order (text fields). */
export const PARAM_FIELDS = SIDEBAR_PARAMS.filter((e): e is Extract<Entry, { key: NumericParamKey }> => !('options' in e));
/** The parameters chosen from a list (dropdowns). */
export const CHOICE_FIELDS = SIDEBAR_PARAMS.filter((e): e is Extract<Entry, { options: readonly string[] }> => 'options' in e);

/** An integer within the key's limits (non-negative when none are known yet), or undefined. */
export function parseParam(key: NumericParamKey, text: string, limits?: SidebarParamLimits): number | undefined {
  const t = text.trim().replace(/[_,\s]/g, '');
  if (!/^\d+$/.test(t)) return undefined;
  const n = Number(t);
  const { minimum = 0, maximum = Number.MAX_SAFE_INTEGER } = limits?.[key] ?? {};
  return Number.isSafeInteger(n) && n >= minimum && n <= maximum ? n : undefined;
}

export function paramsValid(p: Partial<SidebarParams>): p is SidebarParams {
  return PARAM_FIELDS.every((f) => typeof p[f.key] === 'number') && CHOICE_FIELDS.every((f) => (f.options as readonly unknown[]).includes(p[f.key]));
}
