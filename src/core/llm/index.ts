export * from './types';
export { createLlmClient, LlmError, OfflineMissError, type LlmClientOptions } from './client';
export { ResponseCache, cacheKey, CACHE_FILE_NAME, type CacheRecord, type CacheStats, type CacheInput } from './cache';
export { parseRetryAfter, backoffDelayMs, isRetryableStatus, type BackoffOptions } from './retry';
export { redactUrl } from './redactUrl';
