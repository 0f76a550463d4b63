import type { BrowserContextOptions } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { ApiClient } from '../../src/api-client.ts';
import { startApiWithDatabase, type ApiFixture } from './api.ts';
import { requireBuiltApp } from './built-app.ts';
import { startBrowser, type BrowserFixture } from './browser.ts';
import { TodoPage } from './todo-page.ts';

export interface E2e {
  readonly url: string;
  readonly api: ApiFixture['api'];
  /** The API as a client, to check what the server holds. */
  readonly server: ApiClient;
  /** A fresh browser user (context) on `path` of the app. */
  open(path?: string, options?: BrowserContextOptions): Promise<TodoPage>;
  readonly browser: BrowserFixture;
}

/**
 * One API process on a database of its own and one Chromium for the test file; every test
 * gets new contexts, closed after it.
 */
export function useE2e(): E2e {
  let fixture: ApiFixture | undefined;
  let browser: BrowserFixture | undefined;
  let server: ApiClient | undefined;

  beforeAll(async () => {
    requireBuiltApp();
    [fixture, browser] = await Promise.all([startApiWithDatabase(), startBrowser()]);
    server = new ApiClient({ baseUrl: fixture.api.url });
  });
  afterEach(async () => {
    await browser?.closeContexts();
  });
  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
  });

  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the e2e fixture has not started');
    return value;
  };
  return {
    get url() {
      return need(fixture).api.url;
    },
    get api() {
      return need(fixture).api;
    },
    get server() {
      return need(server);
    },
    get browser() {
      return need(browser);
    },
    async open(path = '/', options = {}) {
      const context = await need(browser).newContext(options);
      return TodoPage.open(context, `${need(fixture).api.url}${path}`);
    },
  };
}
