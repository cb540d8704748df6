/**
 * The CLI's only way to talk to the user. With --json a command prints exactly one JSON document
 * on stdout; everything else (logs, progress) goes to stderr. Progress bars only on a TTY and
 * not under CI=true, where plain log lines are printed instead.
 */
import { SingleBar, Presets } from 'cli-progress';
import type { Logger, LogLevel } from '../core/util/log';

export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export interface Progress {
  update(done: number, total?: number, detail?: string): void;
  stop(): void;
}

export class CliIO {
  constructor(readonly opts: GlobalOptions) {}

  get logger(): Logger {
    return {
      log: (level: LogLevel, message: string) => {
        if (level === 'debug' && !this.opts.verbose) return;
        if (this.opts.quiet && level === 'info') return;
        process.stderr.write(level === 'info' ? `${message}\n` : `[${level}] ${message}\n`);
      },
    };
  }

  /** The command's result: JSON on stdout with --json, else the human text. */
  result(value: unknown, human: string | (() => string)): void {
    if (this.opts.json) process.stdout.write(JSON.stringify(value, null, 2) + '\n');
    else process.stdout.write((typeof human === 'function' ? human() : human) + '\n');
  }

  progress(label: string, total: number): Progress {
    const interactive = process.stderr.isTTY && process.env.CI !== 'true' && !this.opts.quiet;
    if (interactive) {
      const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total} {detail}`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
      bar.start(total, 0, { detail: '' });
      return {
        update: (done, t, detail) => {
          if (t !== undefined) bar.setTotal(t);
          bar.update(done, { detail: detail ?? '' });
        },
        stop: () => bar.stop(),
      };
    }
    // Plain logs: at most one line per ~10% step so CI logs stay readable.
    let lastDecile = -1;
    return {
      update: (done, t, detail) => {
        const tot = t ?? total;
        const decile = tot > 0 ? Math.floor((done / tot) * 10) : 0;
        if (decile !== lastDecile || done === tot) {
          lastDecile = decile;
          if (!this.opts.quiet) process.stderr.write(`${label}: ${done}/${tot}${detail ? ` ${detail}` : ''}\n`);
        }
      },
      stop: () => {},
    };
  }
}
