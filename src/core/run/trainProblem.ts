/**
 * What a training run trains on, from its config and TrainOptions: a synthetic-bandit file, or
 * the LLM reward over the dataset and KB. The one setup the training worker (src/worker/main.ts)
 * and an in-process trainer share.
 *
 * Answers the parent paid for ahead of the run (TrainOptions.paidAhead: the reward table asked
 * online or filled as a batch before the worker started) are read from the cache like any other;
 * each one read is charged to this run (TrainSummary.askedAhead) instead of passing as a free
 * cache hit, so the run folder says what the training cost wherever its answers were asked.
 */
import type { Re2llmConfig } from '../config/defaults';
import type { TrainOptions } from '../../protocol/worker';
import type { LlmClient } from '../llm/types';
import type { Logger } from '../util/log';
import { PaidAhead } from '../llm/paidAhead';
import { readBanditFile } from '../agent/syntheticBandit';
import type { TrainProblem } from '../agent/train';
import { defaultKbPath } from './paths';

export async function trainProblemFor(config: Re2llmConfig, o: TrainOptions, io: { logger: Logger; openClient: () => Promise<LlmClient> }): Promise<TrainProblem> {
  if (o.bandit) return { kind: 'synthetic', file: await readBanditFile(o.bandit), source: o.bandit };
  // Loaded only for LLM training, so a synthetic run needs none of these modules' setup.
  const { loadDataset } = await import('../data/load');
  const { loadKbFile } = await import('../kb/store');
  const { createEncoder, datasetFamilies } = await import('../encode');
  const dataset = await loadDataset(config, { logger: io.logger });
  const kbPath = o.kbPath ?? defaultKbPath(config, o.baseDir ?? process.cwd(), dataset.name);
  const snap = await loadKbFile(kbPath, dataset.name, { maxHintChars: config.reflection.maxHintChars });
  if (snap.text === null) throw new Error(`${kbPath}: no hint KB (build one with re2llm reflect, or pass its path)`);
  const opened = await io.openClient();
  const ledger = PaidAhead.forClient(opened, config.llm);
  ledger.recordFilled(o.paidAhead ?? []);
  const client = o.paidAhead?.length ? ledger.claiming() : opened;
  const probeItem = dataset.items.values().next().value;
  const encoder = await createEncoder(config, { client, families: datasetFamilies(dataset), ...(probeItem ? { probeItem } : {}) });
  return { kind: 'llm', dataset, client, kb: snap.kb, kbPath, encoder, askedAhead: () => ledger.readAhead() };
}
