/**
 * An upper bound on the LLM calls a study can make, before any cache: what each stage may ask
 * at most, counted once per distinct set of inputs, because cells with the same inputs to a
 * stage send the same prompts and the shared response cache answers the second one.
 *
 * - reflection: its budget `reflection.maxCalls`, once per (dataset, model, reflection settings);
 *   smaller KB targets replay the first hints of larger ones with the same seed;
 * - training: (min(steps, |train|) + |validation|) × (|KB| + 1) rank answers per KB;
 * - evaluation on n test sessions: no-hint n once per test sample; random-hint n and oracle
 *   n × |KB| per KB and sample; best-fixed-hint |validation| × |KB| + n per KB; agent n per cell.
 * Finished cells count 0 (their answers are cached); the bound does not look into the cache.
 */
import type { Re2llmConfig } from '../config/defaults';
import { loadDataset } from '../data/load';
import { answerIdentity } from '../run/stageKeys';
import { hashJson } from '../util/hash';
import type { Logger } from '../util/log';

export interface EstimateCell {
  id: string;
  config: Re2llmConfig;
  fixedKb: boolean;
  done: boolean;
}

export interface CallEstimate {
  /** Distinct upper bound over the cells still to run. */
  total: number;
  perCell: Record<string, number>;
  byStage: { reflection: number; training: number; evaluation: number };
}

export async function estimateCalls(cells: EstimateCell[], logger: Logger): Promise<CallEstimate> {
  const sizes = new Map<string, { train: number; validation: number; test: number; hash: string }>();
  const seen = new Set<string>();
  const byStage = { reflection: 0, training: 0, evaluation: 0 };
  const perCell: Record<string, number> = {};
  for (const cell of cells) {
    perCell[cell.id] = 0;
    if (cell.done) continue;
    const c = cell.config;
    const dsKey = hashJson(c.dataset);
    let size = sizes.get(dsKey);
    if (!size) {
      const d = await loadDataset(c, { logger });
      size = { train: d.splits.train.length, validation: d.splits.validation.length, test: d.splits.test.length, hash: d.hash };
      sizes.set(dsKey, size);
    }
    const once = (stage: keyof typeof byStage, key: unknown, calls: number): void => {
      const k = hashJson({ stage, key });
      if (seen.has(k)) return;
      seen.add(k);
      byStage[stage] += calls;
      perCell[cell.id]! += calls;
    };
    const llm = answerIdentity(c);
    const data = { hash: size.hash, dataset: c.dataset };
    const { targetHints: _t, maxSessions: _s, maxCalls: _c, ...reflection } = c.reflection;
    const reflectionId = { llm, data, reflection };
    const hints = c.reflection.targetHints;
    const kbId = cell.fixedKb ? { kb: c.output.kbPath } : { reflectionId, hints };
    if (!cell.fixedKb) once('reflection', reflectionId, c.reflection.maxCalls);
    once('training', { kbId, llm, data }, (Math.min(c.agent.steps, size.train) + size.validation) * (hints + 1));
    const n = c.evaluation.testSample > 0 ? Math.min(c.evaluation.testSample, size.test) : size.test;
    const sample = { llm, data, n, seed: c.evaluation.seed };
    for (const condition of c.evaluation.conditions) {
      if (condition === 'no-hint') once('evaluation', { condition, sample }, n);
      else if (condition === 'random-hint') once('evaluation', { condition, sample, kbId }, n);
      else if (condition === 'oracle') once('evaluation', { condition, sample, kbId }, n * hints);
      else if (condition === 'best-fixed-hint') once('evaluation', { condition, sample, kbId }, size.validation * hints + n);
      else if (condition === 'agent') once('evaluation', { condition, cell: cell.id }, n);
    }
  }
  return { total: byStage.reflection + byStage.training + byStage.evaluation, perCell, byStage };
}
