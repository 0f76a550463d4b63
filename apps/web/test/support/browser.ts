import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
} from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '@cloud-todo/testkit';

/** `extraArgs`: more Chromium flags, e.g. `--host-resolver-rules` for a non-loopback name. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...extraArgs],
  });
}

/** One browser per test file; a fresh context (a new "browser user") per test. */
export interface BrowserFixture {
  readonly browser: Browser;
  /** A new context, closed by `closeContexts()`. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  closeContexts(): Promise<void>;
  close(): Promise<void>;
}

export async function startBrowser(): Promise<BrowserFixture> {
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async newContext(options = {}) {
      const context = await browser.newContext({ locale: 'en-US', ...options });
      context.setDefaultTimeout(20_000);
      contexts.push(context);
      return context;
    },
    async closeContexts() {
      await Promise.all(contexts.splice(0).map((c) => c.close()));
    },
    async close() {
      await Promise.all(contexts.splice(0).map((c) => c.close()));
      await browser.close();
    },
  };
}
