/** The runs table (PAGE_PANELS.runsTable): opened from the palette, restored after a reload. */
import { openPagePanel } from '../pagePanel';
import type { RunsPanelLike } from './runsTableHost';

export function createRunsPanel(extensionPath: string): RunsPanelLike {
  return openPagePanel(extensionPath, 'runsTable');
}
