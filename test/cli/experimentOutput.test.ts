import { test } from 'node:test';
import assert from 'node:assert/strict';
import { experimentEventPrinter, formatExperimentSummary } from '../../src/cli/experimentOutput';
import type { CliIO } from '../../src/cli/io';
import type { ExperimentSummary } from '../../src/core/run/runExperiment';

const base: ExperimentSummary = {
  dataset: { name: 'd', hash: 'h'.repeat(12), items: 10, train: 4, validation: 2, test: 3 },
  kbPath: '/kb.json', kbHints: 2, reflection: null, training: null, evaluation: null, reportPath: null,
  usage: { calls: 7, cacheHits: 3, retries: 2, failures: 0, promptTokens: 0, completionTokens: 0, cost: 0 },
  spend: {},
  seconds: 1.5,
  warnings: [],
};
const training = {
  runDir: '/runs/train-x', steps: 128, updates: 8, cancelled: false, bestValidationReward: 0.1, bestStep: 64,
  bestCheckpoint: null, lastCheckpoint: null, onnxPath: null, calls: 40, cacheHits: 100, callBound: 78, seconds: 2, skipped: false,
};

test("the run's final line counts the training worker's calls with its retries, failures and lowest limit", () => {
  const out = formatExperimentSummary({ ...base, training: { ...training, retries: 9, failures: 1, concurrencyLimit: 3 } });
  assert.match(out, /agent \/runs\/train-x: 128 steps, .*LLM calls 40 \(bound 78, retries 9, failed 1, in-flight limit fell to 3\)/);
  // What the worker paid, and the answers paid for ahead of it that it read (the reward table
  // asked before it started), are both part of what the training cost.
  const ahead = formatExperimentSummary({ ...base, training: { ...training, calls: 3, cost: 0.0003, askedAhead: { calls: 37, cost: 0.0037 } } });
  assert.match(ahead, /LLM calls 40 \(\$0\.0040\): 37 paid ahead of the worker, 3 \(\$0\.0003\) by the worker \(bound 78\)/);
  assert.match(out, /LLM calls in this process: 7 \(cache hits 3, retries 2\); in the training worker: 40 \(retries 9, failed 1, in-flight limit fell to 3\); wall time 1\.5s$/);
  // A clean worker adds only its count; a reused training made no call in this run.
  assert.match(formatExperimentSummary({ ...base, training }), /; in the training worker: 40; wall time/);
  assert.doesNotMatch(formatExperimentSummary({ ...base, training: { ...training, skipped: true } }), /training worker/);
});

test('what each stage paid, and the total, before the final line; stages that did not run are left out', () => {
  const out = formatExperimentSummary({ ...base, spend: { reflect: { calls: 412, cost: 0.0388 }, evaluate: { calls: 1166, cost: 0.11474 } } });
  assert.match(out, /\nLLM spend by stage: reflect 412 calls \$0\.0388, evaluate 1166 calls \$0\.1147; total \$0\.1535\nLLM calls in this process/);
  assert.doesNotMatch(formatExperimentSummary(base), /LLM spend/);
});

test('the run ends with the setup warnings, one line each', () => {
  const out = formatExperimentSummary({ ...base, warnings: ['The KB holds 3 of 20 target hints: few actions.', 'Evaluating on 40 test sessions.'] });
  const lines = out.split('\n');
  assert.deepEqual(lines.slice(-2), ['warning: The KB holds 3 of 20 target hints: few actions.', 'warning: Evaluating on 40 test sessions.']);
  assert.doesNotMatch(formatExperimentSummary(base), /warning:/);
});

test("a stage's requests asked ahead show as their own progress bar, with the client's retries, failures and lowered limit", () => {
  const updates: string[] = [];
  const io = { logger: { log() {} }, progress: (label: string) => ({ update: (d: number, t?: number, detail?: string) => updates.push(`${label} ${d}/${t} ${detail}`), stop() {} }) };
  const { onEvent } = experimentEventPrinter(io as unknown as CliIO);
  const usage = { ...base.usage, calls: 120, retries: 31, failures: 2, concurrencyLimit: 3 };
  onEvent({ stage: 'train', kind: 'fill', done: 100, total: 2964, usage });
  assert.deepEqual(updates, ['train: asking ahead 100/2964 calls 120, retries 31, failed 2, limit 3']);
});
