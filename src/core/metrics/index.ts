/** Metrics: per-session rank metrics and their registry, bootstrap intervals, the paired test. */
export * from './rankMetrics';
export * from './bootstrap';
export * from './pairedTest';
export * from './holm';
export * from './paired';
export * from './power';
export * from './plan';
