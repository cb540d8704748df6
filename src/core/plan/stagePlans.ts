/**
 * What each stage will ask, computed before it runs (issue 13, "plan, then fill"):
 *
 *   train     the full reward table: every train (first dataset.maxTrainSessions) and validation
 *             session with no hint and with each enabled hint (PPO then reads rewards from cache)
 *   evaluate  no-hint per test session; oracle: every action per test session; random-hint its
 *             seeded draw; best-fixed-hint every action on train + validation (its test answers
 *             depend on the hint it picks: asked online unless the oracle runs). The agent's
 *             greedy hint depends on the trained policy: covered when the oracle runs, else asked
 *             online.
 *   reflect   round 1: the base answers of every candidate session. The later rounds (each
 *             reflection turn, then the effectiveness checks, over the sessions still active)
 *             depend on earlier answers: the stage plans each as it gets there
 *             (planReflectionRound), and llm.executor=batch fills them through the Batch API too.
 *             The non-redundancy questions list the KB as it grows: with llm.executor=batch the
 *             stage replays acceptance ahead (each question guessed "not redundant") and fills the
 *             questions that replay asks as a round of their own, then one more round after each
 *             hint the LLM calls redundant; acceptance reads them from the cache.
 */
import { actionHints, type HintKb } from '../kb';
import { reflectionOrder } from '../reflect/runReflection';
import { sampleSessions } from '../evaluate/sample';
import { RandomHintRanker } from '../evaluate/llmRankers';
import { openAiEncoderTexts } from '../encode/openai';
import type { ChatRequest } from '../llm/types';
import type { Session } from '../data/types';
import { PlanBuilder, type PlanContext } from './build';
import type { RequestPlan } from './types';

function enabledHintTexts(kb: HintKb): string[] {
  return actionHints(kb).slice(1).map((h) => h.text);
}

export function planTraining(ctx: PlanContext, kb: HintKb): RequestPlan {
  const { dataset, config } = ctx;
  const b = new PlanBuilder(ctx);
  const hints = enabledHintTexts(kb);
  const sessions = [...dataset.splits.train.slice(0, config.dataset.maxTrainSessions), ...dataset.splits.validation];
  for (const s of sessions) {
    b.addRank(s);
    for (const h of hints) b.addRank(s, h);
  }
  // The openai encoder embeds the sessions' prompted histories (and a probe item) first.
  if (config.encoder.kind === 'openai') for (const t of openAiEncoderTexts(dataset, sessions, config.prompt.historyLimit)) b.addEmbedding(t);
  return { stage: 'train', requests: b.requests, notes: [], ...(b.embeddings.length ? { embeddings: b.embeddings } : {}) };
}

export function planEvaluation(ctx: PlanContext, kb: HintKb | undefined, opts: { agent: boolean }): RequestPlan {
  const { dataset, config } = ctx;
  const ev = config.evaluation;
  const b = new PlanBuilder(ctx);
  const actions = kb ? actionHints(kb) : [];
  const hints = actions.slice(1);
  const conditions = new Set(ev.conditions.filter((c) => (c === 'agent' ? opts.agent : true)));
  const hinted = hints.length > 0;
  const test = sampleSessions(dataset.splits.test, ev.testSample, ev.seed, 'test');
  const notes: string[] = [];
  // No-hint runs first; the agent condition also needs each session's base answer.
  if (conditions.has('no-hint') || conditions.has('agent') || conditions.has('oracle')) for (const s of test) b.addRank(s);
  if (hinted && conditions.has('oracle')) for (const s of test) for (const h of hints) b.addRank(s, h.text);
  if (hinted && conditions.has('random-hint') && !conditions.has('oracle')) {
    const draw = new RandomHintRanker(async () => ({ ranking: [], targetRank: null, hintId: '' }), hints, ev.seed);
    for (const s of test) b.addRank(s, draw.hintFor(s).text);
  }
  if (hinted && conditions.has('best-fixed-hint')) {
    for (const s of [...dataset.splits.train, ...dataset.splits.validation]) {
      b.addRank(s);
      for (const h of hints) b.addRank(s, h.text);
    }
  }
  const later = config.llm.executor === 'batch' ? 'filled as one more batch once it is known' : 'asked once it is known';
  if (hinted && conditions.has('best-fixed-hint') && !conditions.has('oracle')) notes.push(`best-fixed-hint's test answers depend on the hint it chooses: ${later} (one per test session)`);
  if (hinted && conditions.has('agent') && !conditions.has('oracle')) notes.push(`the agent's hinted answers depend on its policy's picks: ${later} (at most one per test session)`);
  // The agent's openai encoder embeds the test sessions' histories before it picks hints.
  if (hinted && conditions.has('agent') && config.encoder.kind === 'openai') for (const t of openAiEncoderTexts(dataset, test, config.prompt.historyLimit)) b.addEmbedding(t);
  return { stage: 'evaluate', requests: b.requests, notes, ...(b.embeddings.length ? { embeddings: b.embeddings } : {}) };
}

export function planReflection(ctx: PlanContext): RequestPlan {
  const { dataset, config } = ctx;
  const b = new PlanBuilder(ctx);
  for (const s of reflectionOrder(dataset.splits.train, config.reflection.seed).slice(0, config.reflection.maxSessions)) b.addRank(s);
  return {
    stage: 'reflect',
    requests: b.requests,
    notes: ['round 1 only: the later rounds (reflection turns, effectiveness checks, then the redundancy questions acceptance will ask, one more round for each hint the LLM calls redundant) are planned by the stage as it reaches them'],
  };
}

/** The answers hint-choosing conditions will ask once they have chosen (evaluation's second round). */
export function planEvaluationRound(ctx: PlanContext, asks: readonly { session: Session; hint: { text: string } }[]): RequestPlan {
  const b = new PlanBuilder(ctx);
  for (const a of asks) b.addRank(a.session, a.hint.text);
  return { stage: 'evaluate', requests: b.requests, notes: [] };
}

/** One later round of reflection: the requests its active sessions wait on, deduplicated. */
export function planReflectionRound(ctx: PlanContext, requests: readonly ChatRequest[]): RequestPlan {
  const b = new PlanBuilder(ctx);
  for (const r of requests) b.addChat(r);
  return { stage: 'reflect', requests: b.requests, notes: [] };
}
