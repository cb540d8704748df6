/**
 * Page object for the VS Code workbench served by code-server: the command palette, notifications,
 * the Re2LLM sidebar, editors, and webviews (two iframes deep: iframe.webview > #active-frame,
 * found here by what they contain).
 */
import type { Frame, Page } from 'playwright-core';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Workbench {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await sleep(1500);
  }

  /**
   * Runs a command by its palette title ("Re2LLM: Open Hint KB"). Retries while the workbench is
   * still registering extension contributions (the palette does not list them yet).
   */
  async runCommand(title: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('F1');
      const input = this.page.locator('.quick-input-widget input');
      const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
      try {
        await input.waitFor({ state: 'visible', timeout: 15_000 });
        // The palette's filter does not match across parentheses: type the title up to them.
        // A quick pick that was closing when F1 was pressed (a theme picker's Enter) can hide the
        // palette again under the fill: that is retried like a palette that lists nothing yet.
        await input.fill(`>${title.replace(/\s*\(.*$/, '')}`, { timeout: 10_000 });
        await row.waitFor({ state: 'visible', timeout: 8_000 });
      } catch (err) {
        if (attempt >= 4) throw err;
        await sleep(2000);
        continue;
      }
      await sleep(200);
      await this.page.keyboard.press('Enter');
      return;
    }
  }

  /** Texts of the visible notification toasts and of the notification center. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notification-toast .notification-list-item-message, .notifications-center .notification-list-item-message').allInnerTexts();
  }

  async waitForNotification(re: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = (await this.notifications()).find((t) => re.test(t));
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no notification matching ${re} within ${timeoutMs} ms; shown: ${JSON.stringify(await this.notifications())}`);
      await sleep(250);
    }
  }

  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications').catch(() => {});
    await sleep(200);
  }

  /** Shows the Re2LLM view container (clicking its icon again would hide it). */
  async openSidebar(): Promise<void> {
    const item = this.page.locator('.activitybar .action-item', { has: this.page.locator('a[aria-label^="Re2LLM"]') }).first();
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    if (!((await item.getAttribute('class')) ?? '').includes('checked')) await item.locator('a').click();
  }

  /** Hides the Re2LLM view container when it is shown. */
  async closeSidebar(): Promise<void> {
    const item = this.page.locator('.activitybar .action-item', { has: this.page.locator('a[aria-label^="Re2LLM"]') }).first();
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    if (((await item.getAttribute('class')) ?? '').includes('checked')) await item.locator('a').click();
    await sleep(1000);
  }

  /** The innermost frame of a webview whose document matches `selector`. */
  async webviewFrame(selector: string, timeoutMs = 30_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const f of this.page.frames()) {
        if (f === this.page.mainFrame()) continue;
        try {
          if (await f.$(selector)) return f;
        } catch {
          /* frame navigating */
        }
      }
      if (Date.now() > deadline) throw new Error(`no webview frame with ${selector} within ${timeoutMs} ms`);
      await sleep(250);
    }
  }

  async waitInFrame(frame: Frame, expression: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await frame.evaluate(`!!(${expression})`).catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting in webview for ${expression}`);
      await sleep(200);
    }
  }

  /** Picks the first item if a quick pick is open (e.g. Open Results with several runs). */
  async acceptQuickPickIfOpen(): Promise<void> {
    await sleep(700);
    if (await this.page.locator('.quick-input-widget .monaco-list-row').first().isVisible().catch(() => false)) await this.page.keyboard.press('Enter');
  }

  /** Brings an editor tab (a webview panel) to the front by its title. */
  async showTab(title: string): Promise<void> {
    await this.page.locator('.tabs-container .tab', { hasText: title }).first().click();
    await sleep(500);
  }

  /** Switches the colour theme through "Preferences: Color Theme" (as a user would; `name` as the picker lists it, e.g. "Light Modern"), then waits for it. */
  async setColorTheme(name: string, kind: 'light' | 'dark'): Promise<void> {
    // Clicked, not Enter: the palette may put "Browse Color Themes in Marketplace" first.
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    await this.page.locator('.quick-input-widget input').fill('>Preferences: Color Theme');
    await this.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Preferences: Color Theme' }).first().click();
    await this.page.locator('.quick-input-widget', { hasText: 'Browse Additional Color Themes' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(name);
    await this.page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await sleep(300);
    await this.page.keyboard.press('Enter');
    await this.waitForTheme(kind);
    // The picker previews the theme it highlights, so the theme can be drawn before the picker
    // has taken the Enter; the next command waits for the picker to close.
    await this.page.locator('.quick-input-widget').first().waitFor({ state: 'hidden', timeout: 15_000 });
  }

  /** Waits until the workbench draws with a light (`vs`) or dark (`vs-dark`) theme. */
  async waitForTheme(kind: 'light' | 'dark', timeoutMs = 30_000): Promise<void> {
    const want = kind === 'light' ? 'vs' : 'vs-dark';
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const cls = (await this.page.locator('.monaco-workbench').first().getAttribute('class')) ?? '';
      if (cls.split(/\s+/).includes(want)) return;
      if (Date.now() > deadline) throw new Error(`the workbench did not switch to a ${kind} theme within ${timeoutMs} ms (classes: ${cls})`);
      await sleep(250);
    }
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path });
  }
}
