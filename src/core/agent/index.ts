/** The retrieval agent: PPO (ppo.ts), its environments, checkpoints, ONNX export and training run. */
export type { BanditEnv } from './env';
export { PpoTrainer, PpoAgent, ppoArgs, PPO_PRESETS, ppoLoss, computeAdvantages, importanceWeight, greedyMeanReward, type PpoArgs, type PpoPresetName, type UpdateStats, type TrainerState } from './ppo';
export { TableBandit, readBanditFile, checkBanditFile, generateBandit, oracleSummary, type BanditFile, type BanditSplit, type OracleSummary, type BanditGenOptions } from './syntheticBandit';
export { LlmBandit, RewardCache, type LlmBanditStats } from './llmBandit';
export { toCheckpoint, fromCheckpoint, readCheckpoint, writeCheckpoint, CHECKPOINT_FORMAT, type CheckpointFile } from './checkpoint';
export { exportActorOnnx, type OnnxExportMeta } from './onnxExport';
export { trainAgent, ppoArgsFromConfig, resumeMismatches, RUN_FILES, type TrainAgentInput, type TrainProblem } from './train';
export { agentPolicyFromRun, agentFromCheckpoint, type RunPolicyDeps } from './policy';
