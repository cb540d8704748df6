/**
 * Every setting of Re2LLM Studio, with its default and a one-line reason to change it.
 * Precedence (lowest to highest): these defaults < `re2llm.config.json` < VS Code settings or
 * environment < command-line flags. The resolved config is written into every run folder.
 *
 * To add a setting: add a leaf here, use it, and run the tests (`config.test.ts` checks that
 * package.json's `contributes.configuration` matches `vscodeConfiguration()`).
 */
import { s, defaultsOf, type InferConfig } from './spec';
import { CONDITION_IDS, DEFAULT_CONDITIONS } from '../../protocol/conditions';
import { DATASET_FORMAT_CHOICES } from './datasetFormats';

export const DEFAULT_RANK_TEMPLATE = [
  'I {verb} the following {items}, in this order:',
  '{history}',
  '',
  'Recommend the {item} I should {verbPresent} next. Choose only from this candidate set:',
  '{candidates}',
  '',
  '{hintLine}List the top {topK} recommendations from the candidate set as a numbered list, one title per line, best first. Use the titles exactly as written in the candidate set.',
].join('\n');

export const CONFIG_SPEC = {
  dataset: {
    path: s.str('', 'Dataset folder (authors\' pickles, RecBole atomic files, JSONL interchange, or CSV logs), relative to the config file.'),
    format: s.oneOf(DATASET_FORMAT_CHOICES, 'auto', 'Importer to use; auto recognises the folder by its files.'),
    name: s.str('', 'Short dataset name used in file names (defaults to the folder name).'),
    itemNoun: s.str('movie', 'Domain word for one item, used in prompts ("movie", "game", ...).'),
    itemNounPlural: s.str('movies', 'Plural of the domain word.'),
    verbPast: s.str('watched', 'Past-tense verb for an interaction ("watched", "played", ...).'),
    verbPresent: s.str('watch', 'Present-tense verb for an interaction ("watch", "play", ...).'),
    minSessionLength: s.int(4, 'Sessions built from logs keep only those with at least this many interactions (the authors keep > 3).', { minimum: 2 }),
    candidates: s.int(50, 'Candidate set size: the target plus this many minus one sampled negatives.', { minimum: 2 }),
    testFraction: s.num(0.2, 'Share of sessions built from logs that go to the test split (authors: 80/20).', { minimum: 0, maximum: 0.9 }),
    validationFraction: s.num(0.3, 'Share of the training split held out for validation when the dataset has no validation file. 0.3 by measurement (docs/ppo.md): on hetrec, best-validation on 150 sessions is as good as the last checkpoint, on 50 it loses and varies twice as much; the agent did not lose from the 100 fewer training sessions.', { minimum: 0, maximum: 0.9 }),
    maxTrainSessions: s.int(500, 'Few-shot budget: at most this many training sessions are used (the authors use 500).', { minimum: 1 }),
    seed: s.int(42, 'Seed for session splits and negative sampling.'),
    skipBadRows: s.bool(false, 'Skip malformed rows (counted and reported) instead of stopping at the first one.'),
    csvInteractions: s.str('interactions.csv', 'CSV format: interactions file, relative to the dataset folder.', { fileOnly: true }),
    csvItems: s.str('items.csv', 'CSV format: items file, relative to the dataset folder.', { fileOnly: true }),
    csvColumns: s.strMap({ user: 'user_id', session: '', item: 'item_id', timestamp: 'timestamp', itemId: 'item_id', title: 'title' },
      'CSV format: column names for user, session (optional), item, timestamp, and the items file\'s itemId and title. Other item columns become attributes.', { fileOnly: true }),
    csvAttributeSeparator: s.str('|', 'CSV format: separator inside multi-valued attribute cells.', { fileOnly: true }),
    encoding: s.oneOf(['utf-8', 'latin1'] as const, 'utf-8', 'Text encoding of CSV, RecBole and JSONL files; bytes that do not decode stop the import naming file and line. latin1 = ISO-8859-1 (the authors\' HetRec .dat files are always read as ISO-8859-1).'),
  },
  llm: {
    baseUrl: s.str('', 'OpenAI-compatible endpoint base URL (OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio). Empty means the openai package default.'),
    model: s.str('gpt-4o-mini', 'Chat model name.'),
    embeddingModel: s.str('text-embedding-3-small', 'Embeddings model name (openai encoder, embedding redundancy check).'),
    temperature: s.num(0, 'Sampling temperature. 0 makes answers reproducible and cacheable.', { minimum: 0, maximum: 2 }),
    maxTokens: s.int(512, 'Maximum tokens per answer.', { minimum: 1 }),
    seed: s.optNum(null, 'Seed passed to the endpoint when it supports one (null: none).'),
    timeoutMs: s.int(30000, 'Per-attempt timeout in milliseconds (a timed-out attempt frees its slot and is retried). 30 s: the longest answer allowed (llm.maxTokens=512) at a slow 20 tokens/s is 26 s; a rank answer of 10 lines takes a few seconds.', { minimum: 100 }),
    concurrency: s.int(4, 'Most requests in flight at once. The client lowers its limit by half the fraction of recent attempts refused with a 429 and grows it back by one per round of answers (AIMD, as DCTCP scales it), never above this.', { minimum: 1, maximum: 1024 }),
    maxRetries: s.int(5, 'Retries on 429, 5xx and timeouts, with exponential backoff and jitter (Retry-After honoured).', { minimum: 0 }),
    maxFailureRate: s.num(0.05, 'A request that fails for good (retries exhausted, refused as too long or filtered) is recorded as a failed answer and the run goes on; the run stops when more than this share of requests has failed (checked after 20 requests).', { minimum: 0, maximum: 1 }),
    apiKeyEnv: s.str('OPENAI_API_KEY', 'Environment variable that holds the API key (the extension uses SecretStorage first).'),
    inputCostPerMTok: s.optNum(null, 'Price per million input tokens, for cost accounting (null: 0 on a loopback endpoint or the simulator, else 0.15).', { minimum: 0 }),
    outputCostPerMTok: s.optNum(null, 'Price per million output tokens, for cost accounting (null: 0 on a loopback endpoint or the simulator, else 0.6).', { minimum: 0 }),
    embeddingCostPerMTok: s.optNum(null, 'Price per million embedding input tokens (the openai encoder, embedding redundancy), for cost accounting and the stage estimates (null: 0 on a loopback endpoint or the simulator, else 0.02, text-embedding-3-small).', { minimum: 0 }),
    endpointId: s.str('', 'Identity of the endpoint in cache keys (empty: the base URL). Set it when one model is served from a changing address, as the demo\'s simulator is.', { fileOnly: true }),
    cacheDir: s.str('.re2llm-cache', 'Response cache folder, shared across runs (relative to the workspace or config file).'),
    offline: s.bool(false, 'Replay mode: answer only from the cache and fail on a miss.'),
    executor: s.oneOf(['online', 'batch'] as const, 'online', 'How a stage\'s planned requests are filled: online (the client, one request at a time) or batch (the OpenAI/Azure Batch API: half the price, up to 24 hours), before the stage runs from the cache.'),
    batchRetryFailed: s.oneOf(['online', 'batch'] as const, 'online', 'llm.executor=batch: lines a batch failed are retried online, or in a follow-up batch.'),
    batchPollMs: s.int(30000, 'llm.executor=batch: longest wait between two status checks of a pending batch (the wait starts short and doubles).', { minimum: 10 }),
  },
  prompt: {
    historyLimit: s.int(50, 'Most recent history items shown to the LLM (older ones are dropped; one hetrec test session has 1,212).', { minimum: 1 }),
    topK: s.int(10, 'Length of the ranked list the LLM is asked for.', { minimum: 1 }),
    rankTemplate: s.str(DEFAULT_RANK_TEMPLATE, 'Rank prompt template. Placeholders: {verb} {verbPresent} {item} {items} {history} {candidates} {topK} {hintLine}.', { fileOnly: true }),
    hintTemplate: s.str('Hint: {hint}\n', 'How a hint is added to the rank prompt ({hint} is the text).', { fileOnly: true }),
    disambiguateTitles: s.bool(true, 'Items that share a title are shown with their year (or a [1], [2] ordinal when the year does not separate them), so the LLM and the answer parser can tell them apart; false shows bare titles (an answer then maps to the first such candidate).'),
  },
  parse: {
    mode: s.oneOf(['fuzzy', 'normalised', 'exact'] as const, 'fuzzy', 'Matching of answer lines to candidates: exact (the authors\' scoring), normalised (case, punctuation, entities, articles), fuzzy (normalised, then edit similarity).'),
    fuzzyThreshold: s.num(0.85, 'Minimum similarity (0-1) for a fuzzy match.', { minimum: 0, maximum: 1 }),
  },
  reflection: {
    targetHints: s.int(20, 'Stop when the KB holds this many hints (plus the implicit "no hint").', { minimum: 1 }),
    maxSessions: s.int(300, 'At most this many training sessions are drawn for reflection.', { minimum: 1 }),
    maxCalls: s.int(3000, 'Budget: stop after this many LLM calls (cached answers are free).', { minimum: 1 }),
    effectiveness: s.oneOf(['top10', 'rankImprove'] as const, 'top10', 'A hint is effective if the target enters the top K (top10), or if its rank improves by at least minRankImprovement.'),
    minRankImprovement: s.int(1, 'With effectiveness=rankImprove: required improvement in rank.', { minimum: 1 }),
    redundancy: s.oneOf(['llm', 'embedding', 'both'] as const, 'llm', 'Non-redundancy check: ask the LLM (the paper), compare embeddings, or both.'),
    similarityThreshold: s.num(0.9, 'Embedding redundancy: cosine similarity above which a hint repeats the KB.', { minimum: 0, maximum: 1 }),
    maxHintChars: s.int(300, 'Hints longer than this are rejected (and flagged by kb validate).', { minimum: 10 }),
    seed: s.int(1, 'Seed for drawing error sessions.'),
  },
  encoder: {
    kind: s.oneOf(['hashing', 'onnx', 'openai', 'profile'] as const, 'hashing', 'Session state encoder: hashing (no download), onnx (a local sentence-embedding model), openai (embeddings endpoint), profile (how concentrated the history is on each attribute family).'),
    dim: s.int(768, 'Hashing encoder dimension.', { minimum: 8 }),
    modelPath: s.str('', 'onnx encoder: folder with model.onnx and tokenizer files.'),
  },
  agent: {
    preset: s.oneOf(['bandit', 'paper'] as const, 'bandit', 'bandit: gamma 0, advantage = reward - V(s) (correct for one-step episodes); paper: the authors\' settings (gamma 0.999, lambda 0.95).'),
    steps: s.int(10000, 'Environment steps (one session, one hint each). Answers are cached per (session, hint), so steps beyond |sessions| x |KB| cost CPU, not calls; on the simulated example the held-out gain peaks near 10,000 and falls with more (see the README).', { minimum: 1 }),
    validateEvery: s.int(10, 'Evaluate the greedy policy on validation every this many updates.', { minimum: 1 }),
    learningRate: s.optNum(null, 'Override the preset\'s Adam learning rate.'),
    clipCoef: s.optNum(null, 'Override the preset\'s PPO clip coefficient.'),
    entCoef: s.optNum(null, 'Override the preset\'s entropy coefficient.'),
    batchSize: s.optNum(null, 'Override the preset\'s rollout batch size.'),
    updateEpochs: s.optNum(null, 'Override the preset\'s epochs per batch.'),
    exploration: s.optNum(null, 'Override the preset\'s uniform exploration rate.'),
    normalizeStates: s.bool(true, 'Normalise states with a running mean and std.'),
    hidden: s.int(64, 'Hidden width of the actor and critic MLPs.', { minimum: 1 }),
    seed: s.int(1, 'Seed for network init and action sampling.'),
    selection: s.oneOf(['last', 'best-validation', 'kfold'] as const, 'last', 'Checkpoint evaluated: last (the end of training), best-validation (the best greedy validation reward seen; a winner\'s curse on small validation splits) or kfold (the step best on held-out folds of the training sessions, agent.kfolds extra trainings; see docs/ppo.md). Applied after training: changing it does not retrain.'),
    kfolds: s.int(5, 'Folds of the training sessions for agent.selection kfold (each fold trains one more agent, on CPU and cached answers).', { minimum: 2 }),
    reward: s.oneOf(['ndcg-gain', 'hr-gain', 'mrr-gain', 'ndcg'] as const, 'ndcg-gain', 'Reward the agent learns from: ndcg-gain (the paper\'s: NDCG@K with the hint minus without it), hr-gain (HR@K difference), mrr-gain (reciprocal-rank difference) or ndcg (NDCG@K with the hint, no baseline subtracted; "no hint" then earns the base answer\'s NDCG). K is prompt.topK.'),
  },
  evaluation: {
    conditions: s.strList(CONDITION_IDS, DEFAULT_CONDITIONS, 'Conditions to evaluate (oracle costs |KB| calls per session).'),
    ks: s.intList([1, 5, 10], 'Cut-offs for HR@K and NDCG@K.'),
    testSample: s.int(0, 'Evaluate on a seeded sample of this many test sessions (0: all). A sample under about 1,000 sessions cannot detect a +0.02 NDCG@10 difference (see `re2llm plan`).', { minimum: 0 }),
    bootstrap: s.int(1000, 'Bootstrap resamples for confidence intervals.', { minimum: 10 }),
    seed: s.int(7, 'Seed for the test sample, random-hint and the bootstrap.'),
    sknnNeighbours: s.int(50, 'sknn baseline: neighbours (most similar training sessions) that vote for candidates.', { minimum: 1 }),
    permutations: s.int(10000, 'Sign-flip resamples of each paired test (p = (b + 1) / (B + 1), so the smallest p is 1 / (B + 1)).', { minimum: 10 }),
    primary: s.strList(null, ['agent:no-hint', 'agent:random-hint', 'agent:best-fixed-hint'], 'The primary family of comparisons "a:b", Holm-adjusted together on evaluation.primaryMetric; every other comparison is reported as secondary (unadjusted).'),
    primaryMetric: s.str('NDCG@10', 'Metric of the primary family (and of the minimum detectable effect and `re2llm plan`).'),
  },
  output: {
    runsDir: s.str('re2llm-runs', 'Folder for run folders (relative to the workspace or config file).'),
    kbPath: s.str('', 'Hint KB file; default re2llm/<dataset>.hints.json.'),
  },
};

export type Re2llmConfig = InferConfig<typeof CONFIG_SPEC>;

export function defaultConfig(): Re2llmConfig {
  return defaultsOf(CONFIG_SPEC);
}
