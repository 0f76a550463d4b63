// Edits that survive a bad connection: when the API or its database is really gone, what
// the user did stays on the page, marked "not saved yet", kept in localStorage across a
// reload, and is saved by itself, exactly once, when the server is back. Nothing is mocked:
// the API process is stopped, the database cluster is stopped.
import {
  createTestDatabase,
  startThrowawayCluster,
  waitForHttp,
  type ThrowawayCluster,
} from '@cloud-todo/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api-client.ts';
import { startApi, type RunningApi } from '../support/api.ts';
import { DIST } from '../support/built-app.ts';
import { useE2e } from '../support/e2e.ts';
import { startNginx } from '../support/nginx.ts';
import { TodoPage } from '../support/todo-page.ts';

const e2e = useE2e();

/** Resolves with the milliseconds until the page says nothing waits for the server. */
async function savedWithin(app: TodoPage, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await app.page.locator('.alert.unsaved').waitFor({ state: 'detached', timeout: timeoutMs });
  await app.settled();
  return Date.now() - started;
}

describe('when the API process stops', () => {
  it('keeps changes, marked not saved yet, and saves them by itself within 10 s, once', async () => {
    const app = await e2e.open('/');
    await app.add('buy some cheese');
    await e2e.api.stop();
    try {
      await app.add('feed the cat');
      expect(await app.newTodo.inputValue()).toBe('');
      await app.item(0).locator('.toggle').click();
      await app.page.locator('.alert.unsaved').waitFor();
      // Still on the page, each marked, and said in a status message.
      expect(await app.titles()).toEqual(['buy some cheese', 'feed the cat']);
      expect(await app.completedStates()).toEqual([true, false]);
      await app.expectEventually(() => app.page.locator('.todo-list .unsaved').count(), 2);
      expect(await app.page.locator('.alert.unsaved').textContent()).toContain(
        '2 changes not saved yet',
      );
      // Leaving now would lose nothing, but the browser asks (beforeunload).
      expect(
        await app.page.evaluate(() => {
          const event = new Event('beforeunload', { cancelable: true });
          window.dispatchEvent(event);
          return event.defaultPrevented;
        }),
      ).toBe(true);
    } finally {
      await e2e.api.restart();
    }
    const ms = await savedWithin(app, 10_000);
    console.log(`saved ${ms} ms after the API answered again`);
    expect(await app.page.locator('.todo-list .unsaved').count()).toBe(0);
    const onServer = await e2e.server.listTodos(app.listId());
    expect(onServer.map((t) => [t.title, t.completed])).toEqual([
      ['buy some cheese', true],
      ['feed the cat', false],
    ]);
    const fresh = await e2e.open(new URL(app.page.url()).pathname);
    expect(await fresh.titles()).toEqual(['buy some cheese', 'feed the cat']);
  });

  it('keeps them across a reload during the outage, and saves them once the API is back', async () => {
    // In production nginx serves the page and the API may be away: the same here.
    const nginx = await startNginx(DIST, e2e.url);
    try {
      const context = await e2e.browser.newContext();
      const app = await TodoPage.open(context, `${nginx.url}/`);
      await app.add('before');
      const path = new URL(app.page.url()).pathname;
      await e2e.api.stop();
      try {
        await app.add('written offline');
        await app.page.locator('.alert.unsaved').waitFor();
        await app.page.reload();
        await app.page.locator('.alert.unsaved').waitFor();
        expect(new URL(app.page.url()).pathname).toBe(path);
        expect(await app.titles()).toEqual(['written offline']);
        expect(await app.page.locator('.todo-list .unsaved').count()).toBe(1);
      } finally {
        await e2e.api.restart();
      }
      const ms = await savedWithin(app, 10_000);
      console.log(`saved ${ms} ms after the API answered again, after a reload`);
      expect(await app.titles()).toEqual(['before', 'written offline']);
      expect((await e2e.server.listTodos(app.listId())).map((t) => t.title)).toEqual([
        'before',
        'written offline',
      ]);
    } finally {
      await nginx.stop();
    }
  });

  it('creates the list with its first todo once the API is back, when it was down at the first visit', async () => {
    const nginx = await startNginx(DIST, e2e.url);
    try {
      await e2e.api.stop();
      let app: TodoPage;
      try {
        const context = await e2e.browser.newContext();
        app = await TodoPage.open(context, `${nginx.url}/`);
        // A new list exists on the server only with its first todo: nothing failed yet.
        expect(await app.page.locator('.alert').count()).toBe(0);
        await app.add('written offline');
        await app.page.locator('.alert.unsaved').waitFor();
        expect(await app.titles()).toEqual(['written offline']);
      } finally {
        await e2e.api.restart();
      }
      await savedWithin(app, 10_000);
      expect(app.page.url()).toMatch(/\/lists\/[A-Za-z0-9_-]+$/);
      expect((await e2e.server.listTodos(app.listId())).map((t) => t.title)).toEqual([
        'written offline',
      ]);
    } finally {
      await nginx.stop();
    }
  });
});

describe('when the browser goes offline', () => {
  it('sends what waits as soon as the browser is back online, without waiting for its backoff', async () => {
    const context = await e2e.browser.newContext();
    const app = await TodoPage.open(context, `${e2e.url}/`);
    await app.add('online');
    await context.setOffline(true);
    await app.add('offline');
    await app.page.locator('.alert.unsaved').waitFor();
    // Long enough for the retries to back off to several seconds.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    await context.setOffline(false);
    const ms = await savedWithin(app, 10_000);
    console.log(`saved ${ms} ms after the browser was back online`);
    expect(ms).toBeLessThan(1_500);
    expect((await e2e.server.listTodos(app.listId())).map((t) => t.title)).toEqual([
      'online',
      'offline',
    ]);
  });
});

describe('when the database is unavailable', () => {
  let cluster: ThrowawayCluster | undefined;
  let api: RunningApi | undefined;

  afterAll(async () => {
    await api?.stop();
    await cluster?.destroy();
  });

  it('keeps the changes through the API’s 503s, and saves them once the database is back', async () => {
    cluster = await startThrowawayCluster();
    const database = await createTestDatabase(cluster.url, 'web');
    api = await startApi(database.url);
    const server = new ApiClient({ baseUrl: api.url });
    const context = await e2e.browser.newContext();
    const app = await TodoPage.open(context, `${api.url}/`);
    await app.add('buy some cheese');

    await cluster.stop('fast');
    await app.add('feed the cat');
    await app.item(0).locator('.toggle').click();
    await app.page.locator('.alert.unsaved').waitFor();
    expect(await app.titles()).toEqual(['buy some cheese', 'feed the cat']);
    expect(await app.completedStates()).toEqual([true, false]);

    await cluster.start();
    await waitForHttp(`${api.url}/readyz`, { timeoutMs: 60_000, process: api.process });
    await savedWithin(app, 10_000);
    const onServer = await server.listTodos(app.listId());
    expect(onServer.map((t) => [t.title, t.completed])).toEqual([
      ['buy some cheese', true],
      ['feed the cat', false],
    ]);
  });
});
