/** The training-curves panel (reopens from the palette or the runs table). */
import { openPagePanel } from '../pagePanel';
import type { CurvesPanelLike } from './curvesHost';

const CURVES_VIEW_TYPE = 're2llm.curves';

export function createCurvesPanel(extensionPath: string): CurvesPanelLike {
  return openPagePanel(extensionPath, CURVES_VIEW_TYPE, 'curves', 'Re2LLM Training Curves');
}
