// Honest about failures: when the API or its database is really gone, the page says so in an
// alert, shows the server's truth, and loses nothing once the server is back and the user
// retries. Nothing is mocked: the API process is stopped, the database cluster is stopped.
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

describe('when the API process stops', () => {
  it('shows the failure, rolls back, and saves everything on retry once the API is back', async () => {
    const app = await e2e.open('/');
    await app.add('buy some cheese');
    await e2e.api.stop();
    try {
      await app.add('feed the cat');
      expect(await app.newTodo.inputValue()).toBe('');
      await app.item(0).locator('.toggle').click();
      await app.settled();
      // The page is back to what the server holds, and says what was not saved.
      expect(await app.titles()).toEqual(['buy some cheese']);
      expect(await app.completedStates()).toEqual([false]);
      const alert = await app.alert.textContent();
      expect(alert).toContain('adding “feed the cat”');
      expect(alert).toContain('marking “buy some cheese” as completed');
      expect(alert).toContain('the server did not answer');
    } finally {
      await e2e.api.restart();
    }
    await app.alert.getByRole('button', { name: 'Retry' }).click();
    await app.settled();
    expect(await app.alert.textContent()).toBe('');
    expect(await app.titles()).toEqual(['buy some cheese', 'feed the cat']);
    expect(await app.completedStates()).toEqual([true, false]);
    const onServer = await e2e.server.listTodos(app.listId());
    expect(onServer.map((t) => [t.title, t.completed])).toEqual([
      ['buy some cheese', true],
      ['feed the cat', false],
    ]);
    await app.reload();
    expect(await app.titles()).toEqual(['buy some cheese', 'feed the cat']);
  });

  it('opens the list once the API is back, when it was down at the first visit', async () => {
    // In production nginx serves the page and the API may be away: the same here.
    const nginx = await startNginx(DIST, e2e.url);
    try {
      await e2e.api.stop();
      let app: TodoPage;
      try {
        const context = await e2e.browser.newContext();
        app = await TodoPage.open(context, `${nginx.url}/`);
        await app.expectEventually(
          () => app.alert.textContent(),
          expect.stringContaining('opening the list'),
        );
        expect(await app.alert.textContent()).toContain('502');
        // Typed while the list could not be opened: kept, and saved with the list.
        await app.add('written offline');
        expect(await app.titles()).toEqual([]);
      } finally {
        await e2e.api.restart();
      }
      await app.alert.getByRole('button', { name: 'Retry' }).click();
      await app.settled();
      expect(await app.alert.textContent()).toBe('');
      expect(app.page.url()).toMatch(/\/lists\/[A-Za-z0-9_-]+$/);
      expect(await app.titles()).toEqual(['written offline']);
      expect((await e2e.server.listTodos(app.listId())).map((t) => t.title)).toEqual([
        'written offline',
      ]);
    } finally {
      await nginx.stop();
    }
  });
});

describe('when the database is unavailable', () => {
  let cluster: ThrowawayCluster | undefined;
  let api: RunningApi | undefined;

  afterAll(async () => {
    await api?.stop();
    await cluster?.destroy();
  });

  it('shows the API’s 503, rolls back, and saves on retry once the database is back', async () => {
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
    await app.settled();
    expect(await app.titles()).toEqual(['buy some cheese']);
    expect(await app.completedStates()).toEqual([false]);
    const alert = await app.alert.textContent();
    expect(alert).toContain('adding “feed the cat”');
    expect(alert).toMatch(/\(503 /);
    expect(await app.alert.getByRole('button', { name: 'Retry' }).isVisible()).toBe(true);

    await cluster.start();
    await waitForHttp(`${api.url}/readyz`, { timeoutMs: 60_000, process: api.process });
    await app.alert.getByRole('button', { name: 'Retry' }).click();
    await app.settled();
    expect(await app.alert.textContent()).toBe('');
    expect(await app.titles()).toEqual(['buy some cheese', 'feed the cat']);
    const onServer = await server.listTodos(app.listId());
    expect(onServer.map((t) => [t.title, t.completed])).toEqual([
      ['buy some cheese', true],
      ['feed the cat', false],
    ]);
  });
});
