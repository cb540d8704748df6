/** The simulated LLM (a simulator for demos, tests and benchmarks, not a recommender). */
export * from './types';
export { startSimServer, type SimServer, type SimServerOptions, type SimServerStats } from './server';
export { defaultResponders, registerSimResponder, withRankFallback } from './registry';
export { rankResponder, RANK_RESPONDER_NAME } from './rankResponder';
export { readRankPrompt, idOfTitle, titleIndex, looksLikeRankPrompt, type RankPromptReading } from './rankPrompt';
export { rankCandidatesSim, sessionModel, readHint, DEFAULT_RANK_PARAMS, type RankModelParams, type SessionModel } from './rankModel';
export { profileOf, titleWords, type Family, type DatasetProfile } from './families';
export { simEmbedding, DEFAULT_SIM_EMBEDDING_DIM } from './embeddings';
export type { SimFaults } from './faults';
export { simEndpointId, SIM_MODEL_VERSION } from './identity';
