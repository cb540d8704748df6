/**
 * Entry point for every importer: `loadDataset(config)` recognises the folder (or uses
 * `dataset.format`), runs the importer, applies the few-shot cap and validation slice, and
 * returns the one SessionDataset form with its content hash. Nothing downstream knows which
 * importer ran.
 */
import { basename, resolve } from 'node:path';
import type { Re2llmConfig } from '../config/defaults';
import type { SessionDataset } from './types';
import { silentLogger, info, type Logger } from '../util/log';
import { InputError } from '../util/errors';
import { BadRows } from './badRows';
import { detectFormat } from './detect';
import { planTrainAndValidation } from './splits';
import { datasetHash } from './hash';
import { contentNotes } from './checks';
import { IMPORTERS } from './importers';
import { promptTitleLabels, titleCollisionCounts } from './titles';

export type { DatasetFormat } from './importer';
export { detectFormat } from './detect';

export interface LoadOptions {
  logger?: Logger;
}

export async function loadDataset(config: Re2llmConfig, opts: LoadOptions = {}): Promise<SessionDataset> {
  const logger = opts.logger ?? silentLogger;
  const dc = config.dataset;
  if (!dc.path) throw new InputError('no dataset: set dataset.path (a folder) in the config or pass a dataset folder', undefined, undefined, 'dataset.path');
  const root = resolve(dc.path);
  const format = dc.format === 'auto' ? await detectFormat(root, { csvInteractions: dc.csvInteractions }) : dc.format;
  info(logger, `importing ${root} (format ${format}${dc.format === 'auto' ? ', detected' : ''})`);

  const badRows = new BadRows(dc.skipBadRows);
  const data = await IMPORTERS[format].read({ root, config: dc, logger, badRows });
  const plan = planTrainAndValidation(data.train, data.validation, dc);
  const splits = { train: plan.train, validation: plan.validation, test: data.test };
  const notes = [...data.notes, ...plan.notes];
  if (badRows.count) notes.push(`${badRows.count} bad row(s) skipped (dataset.skipBadRows)`);
  notes.push(...contentNotes(splits));
  const collisions = titleCollisionCounts(data.items);
  const disambiguate = config.prompt.disambiguateTitles;
  if (collisions.items) {
    notes.push(
      `${collisions.items} items share a title with another item (${collisions.titles} titles); ` +
        (disambiguate ? 'prompts show them with their year or an ordinal, e.g. "Title (1983) [2]" (prompt.disambiguateTitles)' : 'prompts show them alike (prompt.disambiguateTitles is off): an answer naming one maps to the first such candidate'),
    );
  }

  return {
    name: dc.name || basename(root),
    root,
    domain: { item: dc.itemNoun, items: dc.itemNounPlural, verb: dc.verbPast },
    items: data.items,
    splits,
    hash: datasetHash(data.items, splits),
    ...(disambiguate && collisions.items ? { promptTitles: promptTitleLabels(data.items) } : {}),
    report: {
      format,
      files: data.files,
      skippedRows: badRows.count,
      skippedExamples: badRows.examples,
      notes,
      titleCollisions: collisions,
    },
  };
}
