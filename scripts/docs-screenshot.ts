/**
 * Takes the README's report screenshot from a real run: `npx tsx scripts/docs-screenshot.ts
 * <run folder with report.html> [docs/results-report.png]` (run `npm run demo` first). Uses the
 * browser tests' Chromium launcher (Debian chromium + playwright-core).
 */
import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../test/browser/helpers/chromium';

async function main(): Promise<void> {
  const runDir = resolve(process.argv[2] ?? '');
  const out = resolve(process.argv[3] ?? 'docs/results-report.png');
  const s = await launchChromium({ viewport: { width: 1280, height: 900 } });
  try {
    await s.page.goto(pathToFileURL(join(runDir, 'report.html')).href);
    await s.page.waitForSelector('canvas');
    await s.page.waitForTimeout(500);
    copyFileSync(await s.screenshot('docs-report', { fullPage: false }), out);
    const csp = await s.cspViolations();
    if (csp.length) throw new Error(`CSP violations: ${JSON.stringify(csp)}`);
    process.stdout.write(`wrote ${out}\n`);
  } finally {
    await s.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`docs-screenshot: ${err.message}\n`);
  process.exitCode = 1;
});
