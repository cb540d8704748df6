/**
 * Scores recorded answers against a dataset with no LLM call (`re2llm score`): parse each
 * answer against its session's candidates, then HR@K / NDCG@K / MRR with bootstrap intervals
 * and the parse-quality rates.
 */
import type { Session, SessionDataset } from '../data/types';
import { promptCandidates } from '../prompts/rank';
import { InputError } from '../util/errors';
import { Rng } from '../util/rng';
import { parseRankedAnswer, type MatchMode, type ParsedAnswer } from '../parse/rankedAnswer';
import { checkLabels, type LabelMismatch, type RecordedAnswers } from '../parse/recordedAnswers';
import { parseRates, countParsed, type ParseCounts, type ParseRates } from '../parse/parseRates';
import { metricNames, metricValues, type Rank } from '../metrics/rankMetrics';
import { bootstrapCI, type Interval } from '../metrics/bootstrap';

export interface ScoreOptions {
  mode: MatchMode;
  fuzzyThreshold: number;
  /** Ranks beyond this are not counted (the prompt's top K). */
  topK: number;
  /** Cut-offs for HR@K and NDCG@K. */
  ks: number[];
  /** Bootstrap resamples and seed for the intervals. */
  bootstrap: number;
  seed: number;
}

interface ScoredSession {
  sessionId: string;
  rank: Rank;
  parsed: ParsedAnswer;
}

export interface ScoreReport {
  file: string;
  format: RecordedAnswers['format'];
  mode: MatchMode;
  n: number;
  /** Metric name -> mean with its 95% percentile-bootstrap interval. */
  metrics: Record<string, Interval>;
  counts: ParseCounts;
  rates: ParseRates;
  /** Authors' log only: labels that are not the target's title. */
  labelMismatches: LabelMismatch[];
  sessions: ScoredSession[];
}

export function scoreAnswers(dataset: SessionDataset, recorded: RecordedAnswers, opts: ScoreOptions): ScoreReport {
  if (recorded.answers.length === 0) throw new InputError('no answers to score', recorded.file);
  const sessions = sessionIndex(dataset);
  const scored = recorded.answers.map((a): ScoredSession => {
    const session = sessions.get(a.sessionId);
    if (!session) throw new InputError(`unknown session "${a.sessionId}" (not in dataset "${dataset.name}")`, recorded.file, a.line, 'session_id');
    const candidates = promptCandidates(dataset, session.candidates);
    const parsed = parseRankedAnswer(a.answer, candidates, session.target, opts);
    return { sessionId: a.sessionId, rank: parsed.targetRank, parsed };
  });
  const ranks = scored.map((s) => s.rank);
  const metrics: Record<string, Interval> = {};
  for (const name of metricNames(opts.ks)) {
    metrics[name] = bootstrapCI(metricValues(ranks, name), Rng.derive(opts.seed, `bootstrap/${name}`), opts.bootstrap);
  }
  const counts = countParsed(scored.map((s) => s.parsed));
  return {
    file: recorded.file,
    format: recorded.format,
    mode: opts.mode,
    n: scored.length,
    metrics,
    counts,
    rates: parseRates(counts),
    labelMismatches: checkLabels(recorded, (id) => sessions.get(id), dataset),
    sessions: scored,
  };
}

function sessionIndex(dataset: SessionDataset): Map<string, Session> {
  const byId = new Map<string, Session>();
  for (const split of Object.values(dataset.splits)) for (const s of split) byId.set(s.id, s);
  return byId;
}
