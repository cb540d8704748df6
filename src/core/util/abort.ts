import { setMaxListeners } from 'node:events';

/**
 * The AbortController of a whole run (a CLI command, a worker, a study cell, a VS Code job).
 * Every request waiting for a concurrency slot listens on its signal, and hundreds wait at once by
 * design (llm.concurrency up to 1024), so Node's default of 10 listeners before a
 * MaxListenersExceededWarning is lifted for this signal only.
 */
export function runController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
