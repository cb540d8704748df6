export * from './types';
export { createLlmClient, LlmError, LlmFailureRateError, OfflineMissError, isRecordableFailure, MIN_REQUESTS_FOR_RATE, type LlmClientOptions } from './client';
export { ResponseCache, cacheKey, CACHE_FILE_NAME, type CacheRecord, type CacheStats, type CacheInput } from './cache';
export { parseRetryAfter, backoffDelayMs, isRetryableStatus, type BackoffOptions } from './retry';
export { redactUrl, endpointIdentity } from './redactUrl';
export { AdaptiveLimit } from './adaptiveLimit';
export { withChat } from './withChat';
