/**
 * End to end in a real VS Code (code-server 4.100.3, see install-code-server.sh): package the
 * VSIX, install it, open a workspace with the example dataset, run palette commands, check the
 * sidebar and the results panel inside their webview iframes, screenshot them. Once trusted, once
 * in Restricted Mode (the extension loads, ignores the workspace's endpoint settings, refuses LLM
 * calls). Screenshots go to test-artifacts/; `npm run screenshots` (RE2LLM_DOCS_SCREENSHOTS=1) also
 * writes the README's into docs/, so `npm test` never rewrites tracked files.
 *
 * Without code-server: fails when CI=true (it must never be silently skipped in CI), skips loudly
 * otherwise. Run `bash test/e2e/install-code-server.sh` first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../browser/helpers/chromium';
import { codeServerInstalled, packageVsix, startCodeServer, ENTRY, ROOT, type CodeServer } from './helpers/codeServer';
import { Workbench } from './helpers/workbench';

const ARTIFACTS = join(ROOT, 'test-artifacts');
/** docs/ only when asked for (npm run screenshots); tests write to ignored folders. */
const DOCS = process.env.RE2LLM_DOCS_SCREENSHOTS === '1' ? join(ROOT, 'docs') : ARTIFACTS;
const FIXTURE_RUN = '2026-11-26T2210-bandit';
const DEMO_TIMEOUT_MS = Number(process.env.RE2LLM_E2E_DEMO_TIMEOUT_MS ?? 180_000);

/** A workspace like a user's: the example dataset, its config, a hand-edited KB, one evaluated run. */
function makeWorkspace(hostileSettings: boolean): string {
  const ws = mkdtempSync(join(tmpdir(), 're2llm-e2e-ws-'));
  cpSync(join(ROOT, 'examples', 'hetrec-mini'), join(ws, 'hetrec-mini'), { recursive: true });
  const config = JSON.parse(readFileSync(join(ROOT, 'examples', 're2llm.config.json'), 'utf8'));
  // What a cloned repository could carry: in Restricted Mode the endpoint must not come from here.
  if (hostileSettings) config.llm = { ...config.llm, baseUrl: 'https://collector.invalid/v1', model: 'workspace-model' };
  writeFileSync(join(ws, 're2llm.config.json'), JSON.stringify(config, null, 2));
  // The fixture's hint ids (h01...) renamed to the KB schema's form (h-01...).
  const results = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/results-full/results.json'), 'utf8').replace(/"h(\d\d)"/g, '"h-$1"'));
  const kbPath = join(ws, 're2llm', 'hetrec-mini.hints.json');
  results.run.kb.path = kbPath;
  const hints = (results.hints as { id: string; text: string }[]).filter((h) => h.id !== 'none').slice(0, 6).map((h) => ({ id: h.id, text: h.text, enabled: true, source: 'reflection' }));
  // A duplicate of the first hint: the KB diagnostics flag it and offer "disable".
  hints.push({ id: 'h-dup', text: hints[0]!.text, enabled: true, source: 'manual' });
  mkdirSync(join(ws, 're2llm'), { recursive: true });
  writeFileSync(kbPath, JSON.stringify({ version: 1, dataset: 'hetrec-mini', hints }, null, 2) + '\n');
  mkdirSync(join(ws, 're2llm-runs', FIXTURE_RUN), { recursive: true });
  writeFileSync(join(ws, 're2llm-runs', FIXTURE_RUN, 'results.json'), JSON.stringify(results, null, 1));
  if (hostileSettings) {
    // The same in the workspace settings (VS Code itself drops restrictedConfigurations there).
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify({ 're2llm.llm.baseUrl': 'https://collector.invalid/v1', 're2llm.llm.model': 'workspace-model' }, null, 2));
  }
  return ws;
}

function findFiles(dir: string, re: RegExp, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findFiles(p, re, out);
    else if (re.test(name)) out.push(p);
  }
  return out;
}

/** "activated in X ms" from the extension's LogOutputChannel file. */
function activationMs(cs: CodeServer): number | undefined {
  for (const f of findFiles(cs.userDataDir, /Re2LLM\.log$/)) {
    const m = /activated in ([\d.]+) ms/.exec(readFileSync(f, 'utf8'));
    if (m) return Number(m[1]);
  }
  return undefined;
}

function logText(cs: CodeServer): string {
  return findFiles(cs.userDataDir, /Re2LLM\.log$/).map((f) => readFileSync(f, 'utf8')).join('\n');
}

const skipReason = codeServerInstalled() ? undefined : `code-server is not installed at ${ENTRY}: run bash test/e2e/install-code-server.sh`;
if (skipReason && process.env.CI === 'true') {
  test('code-server end-to-end prerequisites', () => assert.fail(`${skipReason} (.ci/run must install it; this test is never skipped in CI)`));
} else if (skipReason) {
  console.error(`\n!!!!!!!! SKIPPING the code-server end-to-end tests: ${skipReason} !!!!!!!!\n`);
}

let vsix: { path: string; bytes: number } | undefined;
function getVsix() {
  if (!vsix) {
    const t = Date.now();
    vsix = packageVsix(mkdtempSync(join(tmpdir(), 're2llm-vsix-')));
    console.error(`[e2e] VSIX ${(vsix.bytes / 1024).toFixed(0)} KiB, packaged in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  return vsix;
}

async function withWorkbench(trusted: boolean, fn: (wb: Workbench, cs: CodeServer) => Promise<void>): Promise<void> {
  const ws = makeWorkspace(!trusted);
  const cs = await startCodeServer({ vsix: getVsix().path, workspace: ws, trusted });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(30_000);
    const wb = new Workbench(page);
    await wb.open(cs.url);
    await fn(wb, cs);
  } catch (err) {
    if (browser) {
      mkdirSync(ARTIFACTS, { recursive: true });
      const pages = browser.contexts().flatMap((c) => c.pages());
      await pages[0]?.screenshot({ path: join(ARTIFACTS, `e2e-failure-${trusted ? 'trusted' : 'restricted'}.png`) }).catch(() => {});
    }
    console.error(`[e2e] extension log:\n${logText(cs).slice(-4000)}`);
    throw err;
  } finally {
    await browser?.close().catch(() => {});
    await cs.stop();
  }
}

test('trusted workspace: sidebar, KB with diagnostics and CodeLens, results panel, Start Demo', { skip: skipReason, timeout: 8 * 60_000 }, async () => {
  mkdirSync(DOCS, { recursive: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  await withWorkbench(true, async (wb, cs) => {
    // Sidebar: datasets found, endpoint, KB summary.
    await wb.openSidebar();
    const sidebar = await wb.webviewFrame('[data-testid="section-dataset"]', 60_000);
    await wb.waitInFrame(sidebar, `/7 hints/.test(document.querySelector('[data-testid="kb-summary"]')?.textContent || '')`);
    assert.equal(await sidebar.evaluate(`document.querySelector('[data-testid="restricted-banner"]').hidden`), true);
    assert.match((await sidebar.locator('[data-testid="dataset-note"]').innerText()), /re2llm\.config\.json/);
    assert.equal(await sidebar.locator(`[data-testid="run-${FIXTURE_RUN}"]`).count(), 1);
    await wb.screenshot(join(DOCS, 'sidebar.png'));

    // The KB as a JSON document with the core's diagnostics and per-hint CodeLens.
    await wb.runCommand('Re2LLM: Open Hint KB');
    await wb.page.locator('.monaco-editor .codelens-decoration', { hasText: 'Try this hint on' }).first().waitFor({ timeout: 30_000 });
    await wb.page.locator('.monaco-editor .codelens-decoration', { hasText: 'agent picks' }).first().waitFor({ timeout: 30_000 });
    // Jump to the duplicate: its squiggle and the diagnostic's message inline.
    await wb.page.locator('.monaco-editor .view-lines').first().click();
    await wb.runCommand('Go to Next Problem in Files (Error, Warning, Info)');
    await wb.page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error').first().waitFor({ timeout: 30_000 });
    await wb.page.locator('.monaco-editor .marker-widget', { hasText: /duplicate|repeats|same text/i }).first().waitFor({ timeout: 30_000 });
    await wb.screenshot(join(DOCS, 'kb-editor.png'));
    await wb.page.keyboard.press('Escape');

    // Results panel from the palette.
    await wb.runCommand('Re2LLM: Open Results');
    await wb.acceptQuickPickIfOpen();
    const results = await wb.webviewFrame('#re-metric-table', 60_000);
    assert.ok((await results.locator('#re-metric-table tbody tr').count()) >= 3);
    await wb.screenshot(join(DOCS, 'results-panel.png'));

    // Start Demo: simulated LLM in the extension host, the whole pipeline on the bundled example.
    await wb.clearNotifications();
    const t = Date.now();
    await wb.runCommand('Re2LLM: Start Demo (simulated LLM)');
    const done = await wb.waitForNotification(/Demo on hetrec-mini|Start Demo|failed/i, 15_000).catch(() => '');
    void done;
    await wb.openSidebar();
    const sb = await wb.webviewFrame('[data-testid="section-dataset"]');
    await wb.waitInFrame(sb, `(() => { const j = document.querySelector('[data-testid="job-demo"]'); return j && j.dataset.status !== 'running'; })()`, DEMO_TIMEOUT_MS);
    const status = await sb.evaluate(`document.querySelector('[data-testid="job-demo"]').dataset.status`);
    const message = await sb.locator('[data-testid="job-demo"]').innerText();
    console.error(`[e2e] Start Demo: ${status} in ${((Date.now() - t) / 1000).toFixed(1)} s: ${message.replace(/\s+/g, ' ')}`);
    assert.equal(status, 'done', message);
    await wb.screenshot(join(ARTIFACTS, 'e2e-demo-done.png'));
    // The sidebar after the demo: the finished job with its reward curve, and the new runs.
    await sb.locator('[data-testid="section-jobs"]').scrollIntoViewIfNeeded();
    await wb.screenshot(join(DOCS, 'sidebar-demo.png'));

    const ms = activationMs(cs);
    console.error(`[e2e] activation time: ${ms} ms; VSIX ${(getVsix().bytes / 1024).toFixed(0)} KiB`);
    assert.ok(ms !== undefined && ms < 1000, `activation time ${ms}`);
    assert.ok(!/sk-[A-Za-z0-9-]{10,}/.test(logText(cs)), 'a key-like string in the log');
  });
});

test('Restricted Mode: the extension loads, ignores the workspace endpoint, refuses LLM calls', { skip: skipReason, timeout: 5 * 60_000 }, async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await withWorkbench(false, async (wb, cs) => {
    // No trust prompt (user setting): the folder opens in Restricted Mode.
    await wb.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 30_000 });
    await wb.runCommand('Re2LLM: Start Demo (simulated LLM)');
    await wb.waitForNotification(/Start Demo is not available in Restricted Mode/);
    await wb.runCommand('Re2LLM: Train Retrieval Agent');
    await wb.waitForNotification(/Train Retrieval Agent is not available in Restricted Mode/);
    await wb.openSidebar();
    const sidebar = await wb.webviewFrame('[data-testid="section-dataset"]', 60_000);
    await wb.waitInFrame(sidebar, `!document.querySelector('[data-testid="restricted-banner"]').hidden`);
    const ignored = await sidebar.locator('[data-testid="ignored-settings"]').innerText();
    assert.match(ignored, /re2llm\.llm\.baseUrl/);
    assert.match(ignored, /re2llm\.llm\.model/);
    const endpoint = await sidebar.locator('[data-testid="endpoint"]').innerText();
    assert.doesNotMatch(endpoint, /collector\.invalid|workspace-model/);
    assert.equal(await sidebar.locator('[data-testid="action-run"]').getAttribute('disabled'), '');
    await wb.screenshot(join(DOCS, 'sidebar-restricted.png'));
    const log = logText(cs);
    assert.match(log, /refused in Restricted Mode: Start Demo/);
    assert.doesNotMatch(log, /demo: simulated LLM on/);
  });
});
