/** The sidebar's parameter fields: parsing and range checks (the host checks the same on arrival). */
import { SIDEBAR_PARAM_LIMITS, type SidebarParams } from '../../src/protocol/webview';

export type NumericParam = keyof typeof SIDEBAR_PARAM_LIMITS;

export const PARAM_FIELDS: { key: NumericParam; label: string; action: 'reflect' | 'train' | 'evaluate' }[] = [
  { key: 'reflectTargetHints', label: 'Target hints', action: 'reflect' },
  { key: 'reflectMaxCalls', label: 'Max LLM calls', action: 'reflect' },
  { key: 'trainSteps', label: 'Training steps', action: 'train' },
  { key: 'evalTestSample', label: 'Test sessions (0 = all)', action: 'evaluate' },
];

/** An integer within the key's limits, or undefined. */
export function parseParam(key: NumericParam, text: string): number | undefined {
  const t = text.trim().replace(/[_,\s]/g, '');
  if (!/^\d+$/.test(t)) return undefined;
  const n = Number(t);
  const [lo, hi] = SIDEBAR_PARAM_LIMITS[key];
  return Number.isSafeInteger(n) && n >= lo && n <= hi ? n : undefined;
}

export function paramsValid(p: Partial<SidebarParams>): p is SidebarParams {
  return PARAM_FIELDS.every((f) => typeof p[f.key] === 'number') && (p.agentPreset === 'bandit' || p.agentPreset === 'paper');
}
