/** The prompt-diff panel (reopens from the palette). */
import { openPagePanel } from '../pagePanel';
import type { PromptDiffPanelLike } from './promptDiffHost';

const PROMPT_DIFF_VIEW_TYPE = 're2llm.promptDiff';

export function createPromptDiffPanel(extensionPath: string): PromptDiffPanelLike {
  return openPagePanel(extensionPath, PROMPT_DIFF_VIEW_TYPE, 'promptDiff', 'Re2LLM Prompt Diff');
}
