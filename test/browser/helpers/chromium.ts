/**
 * One way to drive Debian's Chromium from the browser tests (results panel, report, sidebar):
 * playwright-core with the flags from docs/testing.md, a fresh user-data dir per launch, console
 * and CSP-violation capture, screenshots into test-artifacts/.
 *
 *   const s = await launchChromium();
 *   try { await s.page.goto(url); ...; await s.screenshot('report'); assert.deepEqual(s.cspViolations(), []); }
 *   finally { await s.close(); }
 */
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.RE2LLM_CHROMIUM ?? '/usr/bin/chromium';

/** docs/testing.md: without the background-networking flags Chromium floods the closed network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const ARTIFACTS_DIR = resolve(process.env.RE2LLM_TEST_ARTIFACTS ?? 'test-artifacts');

interface ConsoleEntry {
  type: string;
  text: string;
}

export interface ChromiumSession {
  context: BrowserContext;
  page: Page;
  /** Every console message and uncaught page error, in order. */
  console: ConsoleEntry[];
  /** CSP violations: from the `securitypolicyviolation` event and from console messages. */
  cspViolations(): Promise<string[]>;
  /** Console errors and uncaught exceptions. */
  errors(): string[];
  /** Full-page screenshot to test-artifacts/<name>.png; returns the path. */
  screenshot(name: string, opts?: { fullPage?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  viewport?: { width: number; height: number };
  /** Default timeout of page actions and waits (ms). */
  timeoutMs?: number;
  /** Launch timeout (ms). */
  launchTimeoutMs?: number;
  deviceScaleFactor?: number;
}

// Installed before any page script: records CSP violations where the test can read them.
const CSP_LISTENER = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + (e.sample ? ' (' + e.sample + ')' : ''));
  });
`;

export async function launchChromium(opts: LaunchOptions = {}): Promise<ChromiumSession> {
  const userDataDir = mkdtempSync(join(tmpdir(), 're2llm-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      headless: true,
      timeout: opts.launchTimeoutMs ?? 30_000,
      viewport: opts.viewport ?? { width: 1280, height: 900 },
      deviceScaleFactor: opts.deviceScaleFactor ?? 1,
      offline: true,
    });
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  const ctx = context;
  ctx.setDefaultTimeout(opts.timeoutMs ?? 10_000);
  await ctx.addInitScript({ content: CSP_LISTENER });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const consoleLog: ConsoleEntry[] = [];
  page.on('console', (m) => consoleLog.push({ type: m.type(), text: m.text() }));
  page.on('pageerror', (e) => consoleLog.push({ type: 'pageerror', text: e.message }));

  return {
    context: ctx,
    page,
    console: consoleLog,
    async cspViolations() {
      const fromEvents = (await page.evaluate('window.__cspViolations || []').catch(() => [])) as string[];
      const fromConsole = consoleLog.filter((m) => /Content[- ]Security[- ]Policy|Refused to (execute|apply|load|evaluate|connect|frame)/i.test(m.text)).map((m) => m.text);
      return [...fromEvents, ...fromConsole];
    },
    errors() {
      return consoleLog.filter((m) => m.type === 'error' || m.type === 'pageerror').map((m) => m.text);
    },
    async screenshot(name, o = {}) {
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const path = join(ARTIFACTS_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: o.fullPage ?? true });
      return path;
    },
    async close() {
      try {
        await ctx.close();
      } finally {
        rmSync(userDataDir, { recursive: true, force: true });
      }
    },
  };
}

/** A canvas's count of non-transparent pixels (0 = blank). Runs in the page. */
export async function canvasInkPixels(page: Page, selector: string): Promise<number> {
  return (await page.evaluate(`(() => {
    const c = document.querySelector(${JSON.stringify(selector)});
    if (!c || !c.getContext) return -1;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
    return n;
  })()`)) as number;
}

/**
 * Polls a JS expression in the page until it is truthy. Use this instead of page.waitForFunction
 * on pages with a nonce-only CSP: Playwright's polling evaluates string predicates with eval,
 * which such a CSP refuses (and reports as a violation), while page.evaluate is not subject to it.
 */
export async function waitForPageCondition(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate(`!!(${expression})`)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${expression}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
