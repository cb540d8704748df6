/**
 * The README's study figures from real study folders: `npm run screenshots:study -- <fig3 study
 * folder> <fig4 study folder>` (run the example studies first) writes docs/study-heatmap.png
 * (the heatmap card of fig3's study.html) and docs/study-curves.png (the curves card of fig4's).
 * Uses the browser tests' Chromium launcher and fails on any CSP violation.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../test/browser/helpers/chromium';

async function shoot(studyDir: string, figure: 'heatmap' | 'curves', out: string): Promise<void> {
  const s = await launchChromium({ viewport: { width: 1100, height: 900 } });
  try {
    await s.page.goto(pathToFileURL(join(studyDir, 'study.html')).href);
    const card = s.page.locator(`[data-figure="${figure}"]`).first();
    await card.waitFor();
    await s.page.waitForTimeout(400);
    await card.screenshot({ path: out });
    const csp = await s.cspViolations();
    if (csp.length) throw new Error(`CSP violations: ${JSON.stringify(csp)}`);
    process.stdout.write(`wrote ${out}\n`);
  } finally {
    await s.close();
  }
}

async function main(): Promise<void> {
  const [fig3, fig4] = process.argv.slice(2).map((p) => resolve(p));
  if (!fig3 || !fig4) throw new Error('usage: study-screenshots <fig3 study folder> <fig4 study folder>');
  await shoot(fig3, 'heatmap', resolve('docs/study-heatmap.png'));
  await shoot(fig4, 'curves', resolve('docs/study-curves.png'));
}

main().catch((err: Error) => {
  process.stderr.write(`study-screenshots: ${err.message}\n`);
  process.exitCode = 1;
});
