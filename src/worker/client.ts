/**
 * Parent side of the training worker, used by BOTH the CLI and the extension: forks the worker,
 * speaks the typed protocol (src/protocol/worker.ts, every incoming message checked), and stops
 * it: cancel = a `cancel` message, then SIGTERM after a grace period, then a SIGKILL of the whole
 * process tree. Logs one line per child: command, pid, duration, exit code.
 *
 * The API key reaches the worker only through `env` (its environment), never in a message.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import treeKill from 'tree-kill';
import { asWorkerNotification, type TrainOptions, type TrainProgress, type TrainSummary, type WorkerCommand } from '../protocol/worker';
import type { Re2llmConfig } from '../core/config/defaults';
import { RUN_FILES } from '../protocol/runFolder';
import type { Logger, LogLevel } from '../core/util/log';

/** The worker's log (its log messages and stderr), appended in the run folder. */
export const WORKER_LOG_FILE = 'worker.log';

export interface StartWorkerOptions {
  config: Re2llmConfig;
  options: TrainOptions;
  /** Worker entry: dist/worker.js beside this bundle by default; a .ts file runs through tsx. */
  workerPath?: string;
  /** Extra environment for the child (e.g. the API key under config.llm.apiKeyEnv). */
  env?: Record<string, string | undefined>;
  /** Receives the per-child log line and the worker's stderr. */
  logger?: Logger;
  /** Wait after `cancel` before SIGTERM, and after SIGTERM before killing the tree (ms). */
  graceMs?: number;
}

export interface WorkerEvents {
  progress: (p: TrainProgress) => void;
  checkpoint: (c: { path: string; step: number; best: boolean }) => void;
  log: (level: LogLevel, text: string) => void;
  exit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

export interface WorkerHandle {
  readonly pid: number | undefined;
  on<E extends keyof WorkerEvents>(event: E, fn: WorkerEvents[E]): WorkerHandle;
  /** Resolves with the summary (also after a cancel); rejects on a worker error or crash. */
  readonly result: Promise<TrainSummary>;
  /** Graceful stop: message, then SIGTERM after graceMs, then tree kill after another graceMs. */
  cancel(): void;
  /** Immediate SIGKILL of the process tree (what a crash looks like; for tests and shutdown). */
  kill(): void;
}

/** dist/worker.js next to the running bundle (dist/cli.js or dist/extension.js), or the TS source in a dev checkout. */
export function defaultWorkerPath(): string {
  const bundled = join(__dirname, 'worker.js');
  if (existsSync(bundled)) return bundled;
  return join(__dirname, 'main.ts');
}

export function startTrainingWorker(o: StartWorkerOptions): WorkerHandle {
  const workerPath = o.workerPath ?? defaultWorkerPath();
  const graceMs = o.graceMs ?? 5000;
  const execArgv = workerPath.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const started = Date.now();
  const child: ChildProcess = fork(workerPath, [], {
    execArgv,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  const listeners: { [E in keyof WorkerEvents]: WorkerEvents[E][] } = { progress: [], checkpoint: [], log: [], exit: [] };
  // The worker's full log is kept in its run folder (the extension links it from the run).
  const logFile = join(o.options.runDir, WORKER_LOG_FILE);
  try {
    mkdirSync(o.options.runDir, { recursive: true });
  } catch {
    /* the worker reports an unusable run folder itself */
  }
  const emitLog = (level: LogLevel, text: string) => {
    try {
      appendFileSync(logFile, `${new Date().toISOString()} [${level}] ${text}\n`);
    } catch {
      /* logging must never break training */
    }
    if (listeners.log.length) listeners.log.forEach((f) => f(level, text));
    else o.logger?.log(level, text);
  };
  let summary: TrainSummary | undefined;
  let failure: Error | undefined;
  let exited = false;
  const timers: NodeJS.Timeout[] = [];

  const pipeLines = (stream: NodeJS.ReadableStream | null, level: LogLevel) => {
    let buf = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) emitLog(level, `worker: ${l}`);
    });
  };
  pipeLines(child.stdout, 'info');
  pipeLines(child.stderr, 'warn');

  const send = (m: WorkerCommand) => {
    if (child.connected) child.send(m);
  };
  let resolveResult!: (s: TrainSummary) => void;
  let rejectResult!: (e: Error) => void;
  const result = new Promise<TrainSummary>((res, rej) => {
    resolveResult = res;
    rejectResult = rej;
  });
  // Unobserved rejections must not crash the parent; callers still see them on `result`.
  result.catch(() => {});

  child.on('message', (raw: unknown) => {
    const msg = asWorkerNotification(raw);
    if (!msg) {
      emitLog('warn', 'ignored a malformed message from the training worker');
      return;
    }
    switch (msg.type) {
      case 'ready':
        send({ type: 'start', config: o.config, options: o.options });
        return;
      case 'progress': {
        const { type: _t, ...p } = msg;
        listeners.progress.forEach((f) => f(p));
        return;
      }
      case 'checkpoint':
        listeners.checkpoint.forEach((f) => f({ path: msg.path, step: msg.step, best: msg.best }));
        return;
      case 'log':
        emitLog(msg.level, msg.text);
        return;
      case 'done':
        summary = msg.summary;
        return;
      case 'error': {
        failure = new Error(msg.message);
        if (msg.stack) failure.stack = msg.stack;
        return;
      }
      default: {
        const never: never = msg;
        return never;
      }
    }
  });
  child.on('error', (err) => {
    failure ??= new Error(`training worker could not run (${workerPath}): ${err.message}`);
  });
  child.on('exit', (code, signal) => {
    exited = true;
    timers.forEach(clearTimeout);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    o.logger?.log('info', `training worker: ${process.execPath} ${[...execArgv, workerPath].join(' ')} pid ${child.pid ?? '?'} ran ${secs}s, exit code ${code ?? 'none'}${signal ? ` (${signal})` : ''}`);
    listeners.exit.forEach((f) => f(code, signal));
    if (summary && !failure) resolveResult(summary);
    else {
      // Name the checkpoint only when there is one: a worker killed before its first starts again.
      const next = existsSync(join(o.options.runDir, RUN_FILES.last))
        ? `its last checkpoint is in ${o.options.runDir} (train --resume)`
        : `it wrote no checkpoint yet, so the next run or train --resume ${o.options.runDir} starts it again`;
      rejectResult(failure ?? new Error(`training worker exited with code ${code ?? 'none'}${signal ? ` (signal ${signal})` : ''} before finishing; ${next}`));
    }
  });

  const killTree = (sig: NodeJS.Signals) => {
    if (exited || child.pid === undefined) return;
    treeKill(child.pid, sig, () => {});
  };

  const handle: WorkerHandle = {
    pid: child.pid,
    on(event, fn) {
      (listeners[event] as unknown[]).push(fn);
      return handle;
    },
    result,
    cancel() {
      if (exited) return;
      send({ type: 'cancel' });
      timers.push(setTimeout(() => {
        if (exited) return;
        child.kill('SIGTERM');
        timers.push(setTimeout(() => killTree('SIGKILL'), graceMs));
      }, graceMs));
    },
    kill() {
      killTree('SIGKILL');
    },
  };
  return handle;
}
