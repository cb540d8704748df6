/** Evaluation: conditions as Rankers, metrics with intervals, paired tests, results.json. */
export { runEvaluation, parseConditions, ALL_CONDITIONS, AGENT_BASE, type ConditionName, type EvaluationOptions, type EvaluationProgress } from './runEvaluation';
export type { Ranker, RankOutcome, AnswerStats } from './ranker';
export { targetRankIn } from './ranker';
export { NoHintRanker, RandomHintRanker, BestFixedHintRanker, AgentRanker, OracleRanker, selectBestFixedHint, type HintedRank, type HintSelection } from './llmRankers';
export { rankWithClient } from './rankWithClient';
export { assertAgentMatches, StaleAgentError, type AgentPolicy, type EvaluationInputs } from './agentPolicy';
export { loadAgentPolicy, type PolicyFactory, type PolicyDeps, type GreedyPick } from './agentAdapter';
export { agentPolicyFactory } from './agentPolicyFactory';
export { readAgentManifest, parseAgentManifest, type AgentManifestRef } from './agentManifest';
export { summariseCondition, pairedComparisons, answerRates, metricValue, comparisonMetrics } from './aggregate';
export { hintStats, sessionOutcomes, rewardOf } from './analytics';
export { writeEvaluation, readPredictions, readResults, predictionsJsonl, RESULTS_FILE, PREDICTIONS_FILE } from './output';
export { validateResultsFile, resultsSchema } from './resultsSchema';
export { readTrainingCurve, parseTrainingCurve } from './trainingCurve';
export { sampleSessions } from './sample';
export { formatMetricTable } from './format';
export type { PredictionRecord, ConditionRun, UsageDelta } from './records';
