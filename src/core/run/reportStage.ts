/** Stage 5: the self-contained HTML report beside an evaluation's results.json. */
import { writeReport } from '../report';
import { timed, type StageContext } from './stage';

export interface ReportResult {
  path: string;
}

export async function reportStage(ctx: StageContext, input: { evalDir: string }): Promise<ReportResult> {
  const r = await timed(ctx, 'report', input.evalDir, () => writeReport(input.evalDir, { logger: ctx.logger }));
  return { path: r.path };
}
