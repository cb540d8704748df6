/** The prompt-diff panel (PAGE_PANELS.promptDiff): opened from the palette, restored after a reload. */
import { openPagePanel } from '../pagePanel';
import type { PromptDiffPanelLike } from './promptDiffHost';

export function createPromptDiffPanel(extensionPath: string): PromptDiffPanelLike {
  return openPagePanel(extensionPath, 'promptDiff');
}
