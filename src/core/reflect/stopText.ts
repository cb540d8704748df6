/** Why reflection stopped, as the front ends say it (the CLI's summary, VS Code's job card). */
import type { StopReason } from './types';

export const STOP_REASON_TEXT: Record<StopReason, string> = {
  target: 'the KB reached its target size',
  maxCalls: 'the call budget (reflection.maxCalls) ran out',
  maxCost: 'the cost budget (--max-cost) ran out',
  maxSessions: 'reflection.maxSessions sessions were tried',
  exhausted: 'every training session was tried',
  cancelled: 'cancelled; run the same command again to continue',
};
