/**
 * The training worker: a child process forked by src/worker/client.ts (bundled to
 * dist/worker.js). Training never runs in the extension host or the CLI's main loop, and a native
 * fault in onnxruntime (onnx encoder) can only take this process down.
 *
 * Protocol (src/protocol/worker.ts): send `ready`, receive `start`, stream progress / checkpoint /
 * log, finish with `done` or `error`. `cancel`, SIGTERM or a lost parent abort the run between
 * updates (LLM requests in flight are aborted); the last checkpoint is written before `done`.
 * The API key is read from this process's environment by the LLM client; it is never in a message.
 */
import { asWorkerCommand, type TrainOptions, type WorkerNotification } from '../protocol/worker';
import type { Re2llmConfig } from '../core/config/defaults';
import type { Logger, LogLevel } from '../core/util/log';
import { trainAgent } from '../core/agent/train';
import { trainProblemFor } from '../core/run/trainProblem';
import { runController } from '../core/util/abort';

function send(msg: WorkerNotification): void {
  if (process.send && process.connected) process.send(msg);
}

const logger: Logger = { log: (level: LogLevel, text: string) => send({ type: 'log', level, text }) };
const controller = runController();
let started = false;

async function run(config: Re2llmConfig, options: TrainOptions): Promise<void> {
  const problem = await trainProblemFor(config, options, {
    logger,
    openClient: async () => (await import('../core/llm/open')).openLlmClient(config, { logger, baseDir: options.baseDir ?? process.cwd() }),
  });
  const summary = await trainAgent({
    config, problem, runDir: options.runDir, resume: options.resume, packageVersion: options.packageVersion,
    ...(options.steps !== undefined ? { steps: options.steps } : {}),
    ...(options.baseDir !== undefined ? { baseDir: options.baseDir } : {}),
    ...(options.fold ? { fold: options.fold } : {}),
    logger, signal: controller.signal,
    onProgress: (p) => send({ type: 'progress', ...p }),
    onCheckpoint: (path, step, best) => send({ type: 'checkpoint', path, step, best }),
  });
  send({ type: 'done', summary });
}

function fail(err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  send({ type: 'error', message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
}

function finish(code: number): void {
  // Let the IPC channel flush the last message before leaving; if a stray handle (a keep-alive
  // socket) would keep the process alive, leave anyway shortly after.
  process.exitCode = code;
  if (process.connected) process.disconnect();
  setTimeout(() => process.exit(code), 2000).unref();
}

process.on('message', (raw: unknown) => {
  const msg = asWorkerCommand(raw);
  if (!msg) {
    logger.log('warn', 'worker: ignored a malformed message from the parent');
    return;
  }
  switch (msg.type) {
    case 'start':
      if (started) {
        logger.log('warn', 'worker: already started; second start ignored');
        return;
      }
      started = true;
      run(msg.config, msg.options).then(() => finish(0), (err) => { fail(err); finish(1); });
      return;
    case 'cancel':
      controller.abort();
      return;
    default: {
      const never: never = msg;
      return never;
    }
  }
});
process.on('SIGTERM', () => controller.abort());
// A parent that died cannot read our messages: stop at the next update boundary.
process.on('disconnect', () => controller.abort());
process.on('uncaughtException', (err) => { fail(err); finish(1); });
process.on('unhandledRejection', (err) => { fail(err); finish(1); });

send({ type: 'ready' });
