/**
 * Workspace trust gate. In Restricted Mode the extension loads and shows everything, but no LLM
 * call or training starts: a cloned repository must not be able to point the user's key at its
 * own host, or run code paths (ONNX models, worker) on its files before the user trusts it.
 */
import type { Vs } from '../vscode/types';

export const MANAGE_TRUST = 'Manage Workspace Trust';

export function restrictedMessage(action: string): string {
  return `Re2LLM: ${action} is not available in Restricted Mode. This workspace is not trusted, so its endpoint and model settings are ignored and no LLM call or training starts. Trust the workspace to continue.`;
}

/** True when the action may run; otherwise tells the user why (with a button to manage trust). */
export async function requireTrust(vs: Vs, action: string): Promise<boolean> {
  if (vs.workspace.isTrusted()) return true;
  vs.log.warn(`refused in Restricted Mode: ${action}`);
  // Not awaited: the notification stays until dismissed, the command should not.
  void vs.ui.warn(restrictedMessage(action), MANAGE_TRUST).then((choice) => {
    if (choice === MANAGE_TRUST) void vs.ui.executeCommand('workbench.trust.manage');
  });
  return false;
}
