/** The runs table (no serializer: it reopens from the palette). */
import { openPagePanel } from '../pagePanel';
import type { RunsPanelLike } from './runsTableHost';

export const RUNS_TABLE_VIEW_TYPE = 're2llm.runsTable';

export function createRunsPanel(extensionPath: string): RunsPanelLike {
  return openPagePanel(extensionPath, RUNS_TABLE_VIEW_TYPE, 'runs', 'Re2LLM Runs');
}
