/**
 * The run-folder contract: its guards, the one definition of "finished", and recovery of a folder
 * whose run stopped before its first checkpoint (an LLM error inside training), which a fresh
 * start and a resume both restart instead of refusing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTrainManifest, isTrainSummary, RUN_FILES } from '../../../src/protocol/runFolder';
import { isFinishedTraining, isTrainingRunFolder, readTrainSummary, holdsTrainedState } from '../../../src/core/agent/runFolder';
import { trainAgent } from '../../../src/core/agent/train';
import { defaultConfig } from '../../../src/core/config/defaults';
import type { Item, Session, SessionDataset } from '../../../src/core/data/types';
import { emptyUsage, type ChatRequest, type ChatResult, type LlmClient } from '../../../src/core/llm/types';
import { LlmError } from '../../../src/core/llm/client';
import { HashingEncoder } from '../../../src/core/encode';
import { type Logger } from '../../../src/core/util/log';
import type { HintKb } from '../../../src/core/kb/types';

const summary = (o: Partial<Record<string, unknown>> = {}) => ({
  runDir: '/r', steps: 64, updates: 1, cancelled: false, bestValidationReward: 0.1, bestStep: 64,
  bestCheckpoint: '/r/checkpoints/best.json', lastCheckpoint: '/r/checkpoints/last.json', onnxPath: '/r/agent.onnx',
  calls: 0, cacheHits: 0, callBound: 0, seconds: 1, ...o,
});

test('manifest guard: identity fields required, optional fields checked when present', () => {
  const ok = { datasetHash: 'd', kbFingerprint: 'k', hintIds: ['none', 'h'] };
  assert.ok('manifest' in checkTrainManifest(ok));
  const problem = (v: unknown) => { const r = checkTrainManifest(v); return 'problem' in r ? r.problem : undefined; };
  assert.equal(problem({ ...ok, datasetHash: 1 })?.field, 'datasetHash');
  assert.equal(problem({ ...ok, hintIds: ['h'] })?.field, 'hintIds');
  assert.equal(problem({ ...ok, hintTexts: ['', 'a', 'b'] })?.message, '3 hint texts for 2 hint ids');
  assert.equal(problem({ ...ok, problem: 'other' })?.field, 'problem');
  assert.equal(problem({ ...ok, encoder: { kind: 'hashing', id: 'x' } })?.field, 'encoder');
  assert.equal(problem({ ...ok, baseDir: '' })?.field, 'baseDir');
  assert.equal(problem([])?.message, 'a run manifest must be a JSON object');
});

test('summary guard: every field typed; nulls where a run may have none', () => {
  assert.ok(isTrainSummary(summary()));
  assert.ok(isTrainSummary(summary({ bestValidationReward: null, bestStep: null, bestCheckpoint: null, onnxPath: null })));
  assert.ok(!isTrainSummary(summary({ cancelled: 'no' })));
  assert.ok(!isTrainSummary(summary({ steps: undefined })));
  assert.ok(!isTrainSummary({ cancelled: false }));
});

test('isFinishedTraining: a checkpoint plus a summary that was not cancelled, or plus agent.onnx for runs without a summary', async () => {
  const root = mkdtempSync(join(tmpdir(), 'finished-'));
  const folder = (name: string, files: Record<string, string>) => {
    const dir = join(root, name);
    mkdirSync(join(dir, RUN_FILES.checkpoints), { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    return dir;
  };
  const s = (o = {}) => JSON.stringify(summary(o));
  assert.equal(await isFinishedTraining(folder('empty', {})), false);
  assert.equal(await isFinishedTraining(folder('no-checkpoint', { [RUN_FILES.summary]: s(), [RUN_FILES.onnx]: 'x' })), false);
  assert.equal(await isFinishedTraining(folder('checkpoint-only', { [RUN_FILES.last]: '{}' })), false, 'a killed or cancelled run');
  assert.equal(await isFinishedTraining(folder('old-cli', { [RUN_FILES.best]: '{}', [RUN_FILES.onnx]: 'x' })), true, 'written before the CLI wrote summaries');
  assert.equal(await isFinishedTraining(folder('summary', { [RUN_FILES.best]: '{}', [RUN_FILES.summary]: s() })), true);
  assert.equal(await isFinishedTraining(folder('cancelled', { [RUN_FILES.last]: '{}', [RUN_FILES.onnx]: 'x', [RUN_FILES.summary]: s({ cancelled: true }) })), false);
  assert.equal(await isFinishedTraining(folder('torn', { [RUN_FILES.best]: '{}', [RUN_FILES.onnx]: 'x', [RUN_FILES.summary]: '{"runDir": ' })), false, 'a malformed summary is not finished');
  await assert.rejects(readTrainSummary(join(root, 'torn')), /torn\/summary\.json: invalid JSON/);
  assert.equal(await isTrainingRunFolder(join(root, 'empty')), true, 'checkpoints/ alone');
  assert.equal(await isTrainingRunFolder(root), false);
});

// ---- an LLM error before the first checkpoint ----

const N = 40;
const items: Item[] = Array.from({ length: N }, (_, i) => ({ id: `i${i}`, title: `Film number ${i}`, attributes: {} }));
const session = (k: number): Session => ({ id: `s${k}`, history: [`i${k % N}`, `i${(k + 3) % N}`], target: `i${(k + 9) % N}`, candidates: [`i${(k + 9) % N}`, ...Array.from({ length: 9 }, (_, j) => `i${(k + 11 + j) % N}`)] });
const dataset = (): SessionDataset => ({
  name: 'fake', root: '/tmp', domain: { item: 'movie', items: 'movies', verb: 'watched' },
  items: new Map(items.map((i) => [i.id, i])),
  splits: { train: Array.from({ length: 6 }, (_, k) => session(k)), validation: Array.from({ length: 3 }, (_, k) => session(50 + k)), test: [] },
  hash: 'fakehash', report: { format: 'jsonl', files: [], skippedRows: 0, skippedExamples: [], notes: [] },
});

/** Lists the candidates in prompt order; the hint moves the last one first. Fails for good after `failAfter` calls. */
function client(failAfter = Infinity): LlmClient {
  const usage = emptyUsage();
  return {
    async chat(req: ChatRequest): Promise<ChatResult> {
      if (usage.calls >= failAfter) throw new LlmError('LLM rank request to fake: HTTP 400 (context length)', 'HTTP 400', 400, 1, false);
      usage.calls++;
      const prompt = req.messages.map((m) => m.content).join('\n');
      let titles = [...prompt.matchAll(/Film number \d+/g)].map((m) => m[0]).filter((t, i, a) => a.indexOf(t) === i).slice(-10);
      if (prompt.includes('Hint: last')) titles = [titles.at(-1)!, ...titles.slice(0, -1)];
      return { text: titles.map((t, i) => `${i + 1}. ${t}`).join('\n'), cached: false, promptTokens: 1, completionTokens: 1, key: 'k' };
    },
    async embed() { throw new Error('no embeddings'); },
    usage: () => ({ ...usage }),
    describe: () => ({ baseUrl: 'fake://', model: 'fake', embeddingModel: 'none' }),
  };
}
const kb: HintKb = { version: 1, hints: [{ id: 'h-last', text: 'last' }] };

test('a run that stopped on an LLM error before its first checkpoint is restarted by a fresh start and by a resume, not refused', async () => {
  const c = defaultConfig();
  // One validation point at the end: the failure at call 5 comes before any checkpoint.
  const config = { ...c, agent: { ...c.agent, validateEvery: 100, batchSize: 8 } };
  const runDir = join(mkdtempSync(join(tmpdir(), 'restart-')), 'run');
  const logs: string[] = [];
  const logger: Logger = { log: (level, text) => logs.push(`${level} ${text}`) };
  const go = (failAfter: number, resume: boolean) => trainAgent({
    config, runDir, steps: 8 * 3, packageVersion: 't', logger, resume,
    problem: { kind: 'llm', dataset: dataset(), client: client(failAfter), kb, kbPath: '/kb.json', encoder: new HashingEncoder(16) },
  });
  await assert.rejects(go(5, false), /HTTP 400/);
  assert.deepEqual(await holdsTrainedState(runDir), [], 'no checkpoint, no agent');
  assert.ok(existsSync(join(runDir, RUN_FILES.manifest)) && existsSync(join(runDir, RUN_FILES.config)));

  // train --resume: nothing to resume from, so it starts again (no "nothing to resume").
  await assert.rejects(go(7, true), /HTTP 400/);
  assert.ok(logs.some((l) => /^warn .*no checkpoint to resume from \(the run stopped before its first one\); starting it again/.test(l)), logs.join('\n'));
  // The pipeline's fresh start on the same folder: restarts too, and this time finishes.
  const s = await go(Infinity, false);
  assert.ok(logs.some((l) => /an earlier start stopped before its first checkpoint; starting it again/.test(l)));
  assert.equal(s.steps, 24);
  assert.equal(s.cancelled, false);
  assert.ok(await isFinishedTraining(runDir));
  assert.deepEqual((await readTrainSummary(runDir))?.steps, 24, 'trainAgent writes summary.json itself');
  assert.deepEqual(readdirSync(join(runDir, RUN_FILES.checkpoints)).sort(), ['best.json', 'last.json', 'steps']);
  assert.deepEqual(readdirSync(join(runDir, RUN_FILES.steps)), ['step-24.json'], 'the one validation point, for selection after training');
  // Now it holds an agent: a fresh start refuses, a resume of a finished run ends at once.
  await assert.rejects(go(Infinity, false), /already holds a training run \(checkpoints\/last\.json, checkpoints\/best\.json, agent\.onnx, summary\.json\)/);
  assert.equal((await go(Infinity, true)).steps, 24);
});
