/**
 * The evaluation run, top to bottom: check the agent belongs to this dataset and KB → pick the
 * test sessions → for each condition, fit its Ranker and rank every session (usage measured as
 * the difference of client.usage(), or chargedUsage(), around the condition) → metrics with bootstrap CIs, answer
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
import { clientPoolWidth } from '../llm/widePool';
import { actionHints, kbFingerprint } from '../kb/actions';
import { NO_HINT, type ActionHint, type HintKb } from '../kb/types';
import { InputError } from '../util/errors';
import { systemClock, silentLogger, throwIfCancelled, type CancelSignal, type Clock, type Logger } from '../util/log';
import { RESULTS_SCHEMA_VERSION, type AgentTrainingInfo, type BaselineInfo, type ResultsFile, type TrainingPoint } from '../../protocol/results';
import { CONDITION_IDS, CONDITION_RUN_ORDER, LLM_CONDITION_IDS, type ConditionId } from '../../protocol/conditions';
import { version as packageVersion } from '../../../package.json';
import { PopularityRanker } from '../baselines/popularity';
import { SknnRanker } from '../baselines/sknn';
import { assertAgentMatches, type AgentPolicy } from './agentPolicy';
import { pairedComparisons, statisticsInfo, summariseCondition, type AggregateOptions } from './aggregate';
import { RandomHintExpectationRanker } from './randomHintExpectation';
import { hintStats, sessionOutcomes } from './analytics';
import { AgentRanker, BestFixedHintRanker, NoHintRanker, OracleRanker, RandomHintRanker, choosesHints, type HintedRank } from './llmRankers';
import { writeEvaluation } from './output';
import { mapPool } from './pool';
import type { Ranker, RankOutcome } from '../rank/ranker';
import { usageDiff, zeroUsage, type ConditionRun, type PredictionRecord, type UsageDelta } from './records';
import { rankWithClient } from './rankWithClient';
import { sampleSessions } from './sample';
import { readTrainingCurve } from './trainingCurve';
import { configForDisk, redactUrl } from '../llm/redactUrl';

/** Every condition, in the order results.json lists them (the registry: src/protocol/conditions.ts). */
export const ALL_CONDITIONS: readonly ConditionName[] = CONDITION_IDS;
export type ConditionName = ConditionId;
const LLM_CONDITIONS: ReadonlySet<string> = new Set(LLM_CONDITION_IDS);
/** Order of execution: cheap baselines first, then no-hint so later conditions reuse its answers. */
const RUN_ORDER: readonly ConditionName[] = CONDITION_RUN_ORDER;
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
  /**
   * llm.executor=batch: the answers a hint-choosing condition (best-fixed-hint once it has chosen,
   * the agent once its policy has picked) will ask, filled before it asks them: the part of the
   * evaluation its plan could not name in advance, as one more round.
   */
  fillAhead?: (asks: { session: Session; hint: ActionHint }[], condition: string) => Promise<void>;
  /**
   * The totals each condition's usage is the difference of (default: the client's). With answers
   * paid ahead of the conditions (paidAhead.ts), its charged(): each counts for its first reader.
   */
  chargedUsage?: () => UsageStats;
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

  // best-fixed-hint is chosen on every session the agent learns from (train for fitting,
  // validation for selection), and "no hint" is one of its choices: a weaker reference would
  // flatter the agent.
  const choiceSessions = [...dataset.splits.train, ...dataset.splits.validation];
  const choiceSplits = [dataset.splits.train.length ? 'train' : '', dataset.splits.validation.length ? 'validation' : ''].filter(Boolean).join('+');
  const conditions = requested.filter((c) => {
    const skip = (why: string): boolean => {
      logger.log('warn', `evaluate: skipping ${c}: ${why}`);
      return false;
    };
    if (c === 'agent' && !agent) return skip('no trained agent given (--agent RUN)');
    if ((c === 'random-hint' || c === 'best-fixed-hint' || c === 'oracle') && hints.length === 0) return skip(kb ? 'the KB has no enabled hints' : 'no hint KB');
    if (c === 'best-fixed-hint' && choiceSessions.length === 0) return skip('the dataset has no train or validation sessions to choose the hint on');
    return true;
  });
  if (conditions.length === 0) throw new InputError('nothing to evaluate: every requested condition was skipped (see warnings)', undefined, undefined, 'evaluation.conditions');

  const needsLlm = conditions.some((c) => LLM_CONDITIONS.has(c));
  if (needsLlm && !opts.rankWith && !opts.client) throw new Error('evaluate: LLM conditions need an LLM client');
  const rankWith = opts.rankWith ?? (opts.client ? rankWithClient({ dataset, client: opts.client, config }) : undefined);
  const usageNow = (): UsageStats => opts.client?.usage() ?? emptyUsage();
  // Sessions ranked at once: the client's width (its in-flight limit plus the requests waiting to
  // retry), so a request backing off after a 429 lets another session start instead of holding
  // its place in the pool through the wait.
  const width = opts.client ? clientPoolWidth(opts.client, config.llm.concurrency) : config.llm.concurrency;
  const charged = opts.chargedUsage ?? usageNow;

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
        // With the oracle, every hint's answer per test session is asked anyway: report the exact
        // expectation over hints instead of one draw.
        return conditions.includes('oracle') ? new RandomHintExpectationRanker(rw, hints, ev.seed) : new RandomHintRanker(rw, hints, ev.seed);
      case 'best-fixed-hint':
        return new BestFixedHintRanker(rw, [NO_HINT, ...hints], choiceSessions, topK, width);
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
    const before = charged();
    if (condition === 'best-fixed-hint') opts.onProgress?.({ condition, phase: 'fit', done: 0, total: 0, usage: usageNow() });
    await ranker.fit(dataset.splits.train, signal);
    if (opts.fillAhead && choosesHints(ranker)) {
      const asks = await mapPool(sessions, width, async (s) => ({ session: s, hint: await ranker.hintFor(s, signal) }), signal);
      await opts.fillAhead(asks, condition);
    }
    const total = sessions.length;
    const outcomes = await mapPool(sessions, width, (s) => ranker.rank(s, signal), signal, (done) =>
      opts.onProgress?.({ condition, phase: 'rank', done, total, usage: usageNow() }),
    );
    const run: ConditionRun = { condition, records: outcomes.map((o, i) => toRecord(sessions[i]!, condition, o)), usage: usageDiff(charged(), before) };
    if (ranker instanceof RandomHintExpectationRanker) {
      for (const r of run.records) r.expectedOver = ranker.ranksBySession.get(r.sessionId);
      baselines.randomHint = { estimate: 'expectation', hints: hints.length, seed: ev.seed };
    } else if (ranker instanceof RandomHintRanker) {
      baselines.randomHint = { estimate: 'seeded-draw', hints: hints.length, seed: ev.seed };
    }
    if (ranker instanceof BestFixedHintRanker && ranker.selection) {
      const sel = ranker.selection;
      run.hintId = sel.hint.id;
      baselines.bestFixedHint = { hintId: sel.hint.id, reward: sel.meanRewards[sel.hint.id]!, chosenOn: choiceSplits, sessions: sel.sessions };
      const means = Object.entries(sel.meanRewards).map(([id, m]) => `${id} ${m.toFixed(4)}`).join(', ');
      logger.log('info', `evaluate: best-fixed-hint = ${run.hintId} (mean reward on ${choiceSplits}, ${sel.sessions} sessions: ${means})`);
    }
    logger.log('info', `evaluate: ${condition} done (${run.usage.calls} calls, ${run.usage.cacheHits} cache hits)`);
    return run;
  };

  const baselines: BaselineInfo = {};
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
  const agg: AggregateOptions = { ks: ev.ks, resamples: ev.bootstrap, permutations: ev.permutations, seed: ev.seed, primary: ev.primary, primaryMetric: ev.primaryMetric };
  const training = agent?.runDir ? await readTrainingCurve(agent.runDir) : undefined;
  const comparisons = pairedComparisons(ordered, agg);
  const statistics = statisticsInfo(comparisons, agg);
  const agentTraining = agentRun ? agentTrainingInfo(training, actions.length, config.agent.selection) : undefined;
  if (agentTraining?.nearUniform) {
    logger.log('warn', `evaluate: the agent's policy is close to uniform (final entropy ${agentTraining.finalEntropy!.toFixed(3)} of at most ${agentTraining.maxEntropy.toFixed(3)}): it is under-trained, train with more agent.steps`);
  }
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
    comparisons,
    ...(training && agentRun ? { training } : {}),
    hints: hintStats(actions, topK, agentRun?.records, base?.records),
    sessions: sessionOutcomes(dataset, sessions, ordered),
    statistics,
    ...(Object.keys(baselines).length ? { baselines } : {}),
    ...(agentTraining ? { agentTraining } : {}),
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

/** Share of the maximum entropy ln(|actions|) above which the policy counts as near uniform. */
export const NEAR_UNIFORM_ENTROPY_SHARE = 0.95;

/** The agent's final policy entropy from its training curve, against the uniform policy's. */
export function agentTrainingInfo(training: readonly TrainingPoint[] | undefined, actionCount: number, checkpoint: string): AgentTrainingInfo {
  const maxEntropy = Math.log(Math.max(1, actionCount));
  const last = training?.length ? training[training.length - 1] : undefined;
  const lastWithEntropy = training ? [...training].reverse().find((p) => typeof p.entropy === 'number') : undefined;
  const info: AgentTrainingInfo = { maxEntropy, checkpoint };
  if (last) info.steps = last.step;
  if (lastWithEntropy) {
    info.finalEntropy = lastWithEntropy.entropy!;
    info.nearUniform = maxEntropy > 0 && lastWithEntropy.entropy! > NEAR_UNIFORM_ENTROPY_SHARE * maxEntropy;
  }
  return info;
}

function addUsage(a: UsageDelta, b: UsageDelta): UsageDelta {
  const out = zeroUsage();
  for (const k of Object.keys(out) as (keyof UsageDelta)[]) out[k] = a[k] + b[k];
  return out;
}
