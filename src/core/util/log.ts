/**
 * The core never prints. It reports through a Logger the caller supplies: the CLI writes to
 * stderr, the worker forwards over IPC, the extension writes to its LogOutputChannel.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string): void;
}

export const silentLogger: Logger = { log() {} };

export function info(logger: Logger, message: string): void {
  logger.log('info', message);
}

/** A clock the caller can replace in tests. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** Cooperative cancellation, shaped like AbortSignal so either works. */
export interface CancelSignal {
  readonly aborted: boolean;
}

export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function throwIfCancelled(signal: CancelSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
