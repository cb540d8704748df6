/** The training-curves panel (PAGE_PANELS.curves): opened from the palette, restored after a reload. */
import { openPagePanel } from '../pagePanel';
import type { CurvesPanelLike } from './curvesHost';

export function createCurvesPanel(extensionPath: string): CurvesPanelLike {
  return openPagePanel(extensionPath, 'curves');
}
