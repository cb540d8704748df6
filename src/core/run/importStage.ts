/** Stage 1: the dataset, as one SessionDataset whatever the importer, and the KB file it goes with. */
import type { SessionDataset } from '../data/types';
import { loadDataset } from '../data/load';
import { defaultKbPath } from './paths';
import { timed, type StageContext } from './stage';

export interface ImportResult {
  dataset: SessionDataset;
  /** The hint KB this config refers to (output.kbPath, else re2llm/<dataset>.hints.json). */
  kbPath: string;
}

export async function importStage(ctx: StageContext): Promise<ImportResult> {
  const { config, baseDir } = ctx.resolved;
  const dataset = await timed(ctx, 'import', config.dataset.path, () => loadDataset(config, { logger: ctx.logger }));
  return { dataset, kbPath: defaultKbPath(config, baseDir, dataset.name) };
}
