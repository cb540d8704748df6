/**
 * The prompt-diff bundle in Chromium (nonce-only CSP): two sides of one session, the changed
 * words marked on each side, a long unchanged stretch folded, where the target landed, both
 * rankings with the target highlighted; a screenshot in test-artifacts/prompt-diff.png.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PromptDiffNotification } from '../../src/protocol/promptDiff';
import { launchChromium, waitForPageCondition } from './helpers/chromium';
import { buildWebviewBundle, webviewHarnessHtml, postToWebview, postedMessages } from './helpers/webview';

const ROOT = resolve(__dirname, '..', '..');
let bundleJs = '';
const THEME = `:root { --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-foreground: #cccccc; --vscode-editor-background: #1f1f1f;
  --vscode-descriptionForeground: #9d9d9d; --vscode-button-background: #0078d4; --vscode-button-foreground: #fff; }
body { background: var(--vscode-editor-background); }`;
const css = THEME + '\n' + readFileSync(join(ROOT, 'media/promptDiff.css'), 'utf8');

const history = Array.from({ length: 14 }, (_, i) => `${i + 1}. Movie ${i + 1} (199${i % 10})`).join('\n');
const prompt = (hint: string) => `The user watched, in order:\n${history}\n${hint}Rank the 10 candidates below from most to least likely next watch.\nCandidates: Gladiator, Alien, Heat, Fargo, Se7en, Casino, Brazil, Ran, Psycho, Vertigo`;
const detail = (condition: string, hint: string | undefined, ranking: string[], targetRank: number | null) => ({
  runId: 'eval-a', sessionId: 'test-1000', condition, prompt: prompt(hint ? `Hint: ${hint}\n` : ''), answer: ranking.map((t, i) => `${i + 1}. ${t}`).join('\n'),
  ranking, targetTitle: 'Gladiator', targetRank, ...(hint ? { hintId: 'h05', hintText: hint } : {}),
});
const MSG: PromptDiffNotification = {
  type: 'diff/show',
  sessionId: 'test-1000',
  left: { label: 'No hint', detail: detail('no-hint', undefined, ['Alien', 'Heat', 'Fargo', 'Se7en', 'Casino', 'Brazil', 'Ran', 'Psycho', 'Vertigo', 'Gladiator'], 10) },
  right: { label: 'Agent · h05', detail: detail('agent', 'The user favours recent historical epics; rank them first.', ['Alien', 'Gladiator', 'Heat', 'Fargo', 'Se7en', 'Casino', 'Brazil', 'Ran', 'Psycho', 'Vertigo'], 2) },
};

before(async () => {
  bundleJs = await buildWebviewBundle(join(ROOT, 'webview/promptDiff/main.ts'));
});

test('prompt diff: two sides with marked words, a folded stretch, target ranks and rankings, under the nonce-only CSP', { timeout: 120_000 }, async () => {
  const s = await launchChromium({ viewport: { width: 1280, height: 900 } });
  try {
    const page = s.page;
    await page.setContent(webviewHarnessHtml({ bundleJs, css, bodyHtml: '<div id="root"></div>' }));
    await waitForPageCondition(page, "document.body.dataset.ready === 'true'");
    assert.deepEqual(await postedMessages(page), [{ type: 'diff/ready' }]);
    await postToWebview(page, MSG);
    await waitForPageCondition(page, "document.body.dataset.shown === 'test-1000'");
    assert.equal(await page.locator('[data-testid="diff-left-rank"]').innerText(), 'target #10 of 10');
    assert.equal(await page.locator('[data-testid="diff-right-rank"]').innerText(), 'target #2 of 10');
    // The hint line exists only on the right: added words there, nothing removed on the left.
    const added = await page.locator('[data-testid="diff-right-prompt"] ins').allInnerTexts();
    assert.match(added.join(''), /Hint: The user favours recent historical epics/);
    assert.equal(await page.locator('[data-testid="diff-left-prompt"] del').count(), 0);
    // The 14-line history is unchanged: folded.
    assert.ok((await page.locator('[data-testid="diff-left-prompt"] details.fold').count()) >= 1);
    // Answers differ in where Gladiator moved.
    assert.ok((await page.locator('[data-testid="diff-right-answer"] ins').count()) > 0);
    assert.ok((await page.locator('[data-testid="diff-left-answer"] del').count()) > 0);
    assert.equal(await page.locator('[data-testid="diff-right-ranking"] li.target').innerText(), 'Gladiator');
    assert.match(await page.locator('[data-testid="diff-summary"]').innerText(), /prompts: \d+ changed words? · answers: \d+ changed words?/);
    await page.locator('[data-testid="diff-pick"]').click();
    assert.deepEqual((await postedMessages(page)).at(-1), { type: 'diff/pick' });
    await s.screenshot('prompt-diff', { fullPage: false });
    assert.deepEqual(await s.cspViolations(), []);
    assert.deepEqual(s.errors(), []);
  } finally {
    await s.close();
  }
});
