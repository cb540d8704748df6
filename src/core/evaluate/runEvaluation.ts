/**
 * The evaluation run, top to bottom: check the agent belongs to this dataset and KB → pick the
 * test sessions → for each condition, fit its Ranker and rank every session (usage measured as
 * the difference of client.usage() around the condition) → metrics with bootstrap CIs, answer
 * rates, paired tests, hint analytics, the per-session table → results.json + predictions.jsonl.
 *
 * Conditions run one after another (so each one's usage is its own); sessions within a
 * condition run concurrently (llm.concurrency). No-hint runs before the hinted conditions, so
 * their "without hint" answers are cache hits. A request that failed for good is recorded as a
 * failed answer (scored as a miss in every condition alike, counted in `failures`, never cached,
 * so a rerun asks it again); the client stops the run past llm.maxFailureRate.
 */
import { basename } from 'node:path';
import type { Re2llmConfig } from '../config/defaults';
import type { Session, SessionDataset } from '../data/types';
import type { LlmClient, UsageStats } from '../llm/types';
import { emptyUsage } from '../llm/types';
import { actionHints, kbFingerprint } from '../kb/actions';
import type { ActionHint, HintKb } from '../kb/types';
import { InputError } from '../util/errors';
import { systemClock, silentLogger, throwIfCancelled, type CancelSignal, type Clock, type Logger } from '../util/log';
import { RESULTS_SCHEMA_VERSION, type ResultsFile } from '../../protocol/results';
import { version as packageVersion } from '../../../package.json';
import { PopularityRanker } from '../baselines/popularity';
import { SknnRanker } from '../baselines/sknn';
import { assertAgentMatches, type AgentPolicy } from './agentPolicy';
import { pairedComparisons, summariseCondition, type AggregateOptions } from './aggregate';
import { hintStats, sessionOutcomes } from './analytics';
import { AgentRanker, BestFixedHintRanker, NoHintRanker, OracleRanker, RandomHintRanker, type HintedRank } from './llmRankers';
import { writeEvaluation } from './output';
import { mapPool } from './pool';
import type { Ranker, RankOutcome } from './ranker';
import { usageDiff, zeroUsage, type ConditionRun, type PredictionRecord, type UsageDelta } from './records';
import { rankWithClient } from './rankWithClient';
import { sampleSessions } from './sample';
import { readTrainingCurve } from './trainingCurve';
import { configForDisk, redactUrl } from '../llm/redactUrl';

/** Every condition, in the order results.json lists them. */
export const ALL_CONDITIONS = ['no-hint', 'random-hint', 'best-fixed-hint', 'agent', 'oracle', 'popularity', 'sknn'] as const;
export type ConditionName = (typeof ALL_CONDITIONS)[number];
const LLM_CONDITIONS: ReadonlySet<string> = new Set(['no-hint', 'random-hint', 'best-fixed-hint', 'agent', 'oracle']);
/** Order of execution: cheap baselines first, then no-hint so later conditions reuse its answers. */
const RUN_ORDER: readonly ConditionName[] = ['popularity', 'sknn', 'no-hint', 'random-hint', 'best-fixed-hint', 'agent', 'oracle'];
/** predictions.jsonl name of the no-hint answers fetched only for the agent's hint analytics. */
export const AGENT_BASE = 'agent-base';

export interface EvaluationProgress {
  condition: string;
  /** "fit": choosing best-fixed-hint on validation (done/total unknown: 0/0); "rank": scoring. */
  phase: 'fit' | 'rank';
  done: number;
  total: number;
  /** The client's running totals (calls, cache hits, tokens, cost). */
  usage: UsageStats;
}

export interface EvaluationOptions {
  dataset: SessionDataset;
  /** Needed when an LLM condition runs (unless `rankWith` is given). */
  client?: LlmClient;
  config: Re2llmConfig;
  kb?: HintKb;
  /** Where the KB was read from (recorded in results.json). */
  kbPath?: string;
  agent?: AgentPolicy;
  /** The evaluation's run folder; its name is the run id. */
  runDir: string;
  /** Overrides config.evaluation.conditions. */
  conditions?: readonly string[];
  logger?: Logger;
  signal?: CancelSignal;
  onProgress?: (p: EvaluationProgress) => void;
  /** Replaces rankSession-through-the-client (tests, or another ranker of answers). */
  rankWith?: HintedRank;
  clock?: Clock;
  /** Optional run name recorded in results.json. */
  name?: string;
}

export function parseConditions(names: readonly string[]): ConditionName[] {
  const known = new Set<string>(ALL_CONDITIONS);
  const bad = names.filter((n) => !known.has(n));
  if (bad.length) throw new InputError(`unknown condition${bad.length > 1 ? 's' : ''} ${bad.map((b) => `"${b}"`).join(', ')} (known: ${ALL_CONDITIONS.join(', ')})`, undefined, undefined, 'evaluation.conditions');
  return ALL_CONDITIONS.filter((c) => names.includes(c));
}

export async function runEvaluation(opts: EvaluationOptions): Promise<ResultsFile> {
  const { dataset, config, kb, agent, signal } = opts;
  const logger = opts.logger ?? silentLogger;
  const ev = config.evaluation;
  const topK = config.prompt.topK;
  const requested = parseConditions(opts.conditions ?? ev.conditions);
  const actions: ActionHint[] = kb ? actionHints(kb) : [];
  const hints = actions.slice(1);

  if (agent && requested.includes('agent')) {
    if (!kb) throw new InputError('an agent was given but no hint KB: the agent\'s actions are KB hints', undefined, undefined, 'output.kbPath');
    assertAgentMatches(agent, { datasetHash: dataset.hash, kbFingerprint: kbFingerprint(kb), actions });
  }

  const validation = sampleSessions(dataset.splits.validation, ev.testSample, ev.seed, 'validation');
  const conditions = requested.filter((c) => {
    const skip = (why: string): boolean => {
      logger.log('warn', `evaluate: skipping ${c}: ${why}`);
      return false;
    };
    if (c === 'agent' && !agent) return skip('no trained agent given (--agent RUN)');
    if ((c === 'random-hint' || c === 'best-fixed-hint' || c === 'oracle') && hints.length === 0) return skip(kb ? 'the KB has no enabled hints' : 'no hint KB');
    if (c === 'best-fixed-hint' && validation.length === 0) return skip('the dataset has no validation sessions to choose the hint on');
    return true;
  });
  if (conditions.length === 0) throw new InputError('nothing to evaluate: every requested condition was skipped (see warnings)', undefined, undefined, 'evaluation.conditions');

  const needsLlm = conditions.some((c) => LLM_CONDITIONS.has(c));
  if (needsLlm && !opts.rankWith && !opts.client) throw new Error('evaluate: LLM conditions need an LLM client');
  const rankWith = opts.rankWith ?? (opts.client ? rankWithClient({ dataset, client: opts.client, config }) : undefined);
  const usageNow = (): UsageStats => opts.client?.usage() ?? emptyUsage();

  const sessions = sampleSessions(dataset.splits.test, ev.testSample, ev.seed, 'test');
  if (sessions.length === 0) throw new InputError(`dataset "${dataset.name}" has no test sessions`, dataset.root);
  logger.log('info', `evaluate: ${sessions.length} of ${dataset.splits.test.length} test sessions; conditions ${conditions.join(', ')}`);

  const makeRanker = (c: ConditionName): Ranker => {
    const rw = rankWith!;
    switch (c) {
      case 'popularity':
        return new PopularityRanker(topK);
      case 'sknn':
        return new SknnRanker(ev.sknnNeighbours, topK);
      case 'no-hint':
        return new NoHintRanker(rw);
      case 'random-hint':
        return new RandomHintRanker(rw, hints, ev.seed);
      case 'best-fixed-hint':
        return new BestFixedHintRanker(rw, hints, validation, topK, config.llm.concurrency);
      case 'agent':
        return new AgentRanker(rw, agent!, actions);
      case 'oracle':
        return new OracleRanker(rw, actions, topK);
      default: {
        const never: never = c;
        throw new Error(`unhandled condition ${String(never)}`);
      }
    }
  };

  const runOne = async (ranker: Ranker, condition: string): Promise<ConditionRun> => {
    const before = usageNow();
    if (condition === 'best-fixed-hint') opts.onProgress?.({ condition, phase: 'fit', done: 0, total: 0, usage: before });
    await ranker.fit(dataset.splits.train, signal);
    const total = sessions.length;
    const outcomes = await mapPool(sessions, config.llm.concurrency, (s) => ranker.rank(s, signal), signal, (done) =>
      opts.onProgress?.({ condition, phase: 'rank', done, total, usage: usageNow() }),
    );
    const run: ConditionRun = { condition, records: outcomes.map((o, i) => toRecord(sessions[i]!, condition, o)), usage: usageDiff(usageNow(), before) };
    if (ranker instanceof BestFixedHintRanker && ranker.selection) {
      run.hintId = ranker.selection.hint.id;
      const means = Object.entries(ranker.selection.meanRewards).map(([id, m]) => `${id} ${m.toFixed(4)}`).join(', ');
      logger.log('info', `evaluate: best-fixed-hint = ${run.hintId} (mean validation reward over ${ranker.selection.sessions} sessions: ${means})`);
    }
    logger.log('info', `evaluate: ${condition} done (${run.usage.calls} calls, ${run.usage.cacheHits} cache hits)`);
    return run;
  };

  const runs = new Map<string, ConditionRun>();
  for (const c of RUN_ORDER) {
    if (!conditions.includes(c)) continue;
    throwIfCancelled(signal);
    runs.set(c, await runOne(makeRanker(c), c));
  }

  // The agent's hint analytics need each session's no-hint answer; without the no-hint
  // condition they are fetched here, charged to the agent, and written to predictions.jsonl as
  // condition "agent-base" (not a result row) so the rewards stay traceable.
  let base = runs.get('no-hint');
  const agentRun = runs.get('agent');
  let hiddenBase: ConditionRun | undefined;
  if (agentRun && !base) {
    base = hiddenBase = await runOne(new NoHintRanker(rankWith!), AGENT_BASE);
    agentRun.usage = addUsage(agentRun.usage, base.usage);
  }

  const ordered = ALL_CONDITIONS.filter((c) => runs.has(c)).map((c) => runs.get(c)!);
  const agg: AggregateOptions = { ks: ev.ks, resamples: ev.bootstrap, seed: ev.seed };
  const training = agent?.runDir ? await readTrainingCurve(agent.runDir) : undefined;
  const llm = opts.client?.describe();
  const results: ResultsFile = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    run: {
      id: basename(opts.runDir),
      ...(opts.name ? { name: opts.name } : {}),
      createdAt: new Date((opts.clock ?? systemClock).now()).toISOString(),
      dataset: { name: dataset.name, hash: dataset.hash },
      ...(kb ? { kb: { path: opts.kbPath ?? '', fingerprint: kbFingerprint(kb), hintIds: actions.map((a) => a.id) } } : {}),
      llm: { baseUrl: llm?.baseUrl ?? redactUrl(config.llm.baseUrl), model: llm?.model ?? config.llm.model },
      ...(agent && agentRun ? { agentRun: agent.runDir ?? '' } : {}),
      packageVersion,
      config: configForDisk(config) as unknown as Record<string, unknown>,
    },
    ks: ev.ks.slice(),
    conditions: ordered.map((r) => summariseCondition(r, agg)),
    comparisons: pairedComparisons(ordered, agg),
    ...(training && agentRun ? { training } : {}),
    hints: hintStats(actions, topK, agentRun?.records, base?.records),
    sessions: sessionOutcomes(dataset, sessions, ordered),
  };
  await writeEvaluation(opts.runDir, results, hiddenBase ? [...ordered, hiddenBase] : ordered);
  logger.log('info', `evaluate: wrote ${opts.runDir}/results.json and predictions.jsonl`);
  return results;
}

function toRecord(session: Session, condition: string, o: RankOutcome): PredictionRecord {
  const r: PredictionRecord = { sessionId: session.id, condition, target: session.target, ranking: o.ranking, targetRank: o.targetRank };
  if (o.hintId !== undefined) r.hintId = o.hintId;
  if (o.answer !== undefined) r.answer = o.answer;
  if (o.stats) r.stats = o.stats;
  if (o.cached !== undefined) r.cached = o.cached;
  if (o.tried) r.tried = o.tried;
  if (o.failure) r.failure = o.failure;
  return r;
}

function addUsage(a: UsageDelta, b: UsageDelta): UsageDelta {
  const out = zeroUsage();
  for (const k of Object.keys(out) as (keyof UsageDelta)[]) out[k] = a[k] + b[k];
  return out;
}
