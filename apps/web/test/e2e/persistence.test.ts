// The spec's "Persistence" section, with the API in place of localStorage: a browser keeps
// its list across reloads, a list's link opens it anywhere, a fresh browser starts empty.
import { describe, expect, it } from 'vitest';
import { useE2e } from '../support/e2e.ts';
import { TodoPage } from '../support/todo-page.ts';

const e2e = useE2e();

describe('Persistence', () => {
  it('gives a fresh browser an empty list that exists, with its link, from its first todo', async () => {
    const context = await e2e.browser.newContext();
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/')) requests.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    await page.goto(`${e2e.url}/`);
    const first = new TodoPage(page);
    await first.settled();
    // A visit alone creates nothing on the server.
    expect(page.url()).toBe(`${e2e.url}/`);
    expect(requests).toEqual([]);
    expect(await page.locator('.lists').textContent()).toContain(
      'The list gets its link with its first todo.',
    );
    await first.add('the first todo');
    expect(page.url()).toMatch(/\/lists\/[A-Za-z0-9_-]{22}$/);
    expect(requests.filter((r) => r === 'POST /api/lists')).toHaveLength(1);
    expect((await e2e.server.listTodos(first.listId())).map((t) => t.title)).toEqual([
      'the first todo',
    ]);
    const second = await e2e.open('/');
    await second.add('another browser');
    expect(second.listId()).not.toBe(first.listId());
  });

  it('keeps the todos, their state and the list across a reload, and reopens the list from /', async () => {
    const app = await e2e.open('/');
    await app.add('buy some cheese', 'feed the cat');
    await app.item(0).locator('.toggle').check();
    await app.settled();
    const listId = app.listId();
    await app.reload();
    expect(await app.titles()).toEqual(['buy some cheese', 'feed the cat']);
    expect(await app.completedStates()).toEqual([true, false]);
    // The browser remembers its list: the start page reopens it.
    await app.goto(`${e2e.url}/`);
    expect(app.listId()).toBe(listId);
    expect(await app.titles()).toEqual(['buy some cheese', 'feed the cat']);
    // Editing mode is not persisted.
    await app.startEditing(1);
    await app.reload();
    expect(await app.page.locator('.todo-list li.editing').count()).toBe(0);
  });

  it('opens a list by its link in another browser, and both see each other’s changes', async () => {
    const alice = await e2e.open('/');
    await alice.add('buy some cheese');
    const link = alice.page.url();
    const bob = await e2e.open(new URL(link).pathname);
    expect(bob.listId()).toBe(alice.listId());
    expect(await bob.titles()).toEqual(['buy some cheese']);
    await bob.add('feed the cat');
    await bob.item(0).locator('.toggle').check();
    await bob.settled();
    // Alice's tab reads the list again when it becomes visible.
    await alice.page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await alice.expectEventually(() => alice.titles(), ['buy some cheese', 'feed the cat']);
    await alice.expectEventually(() => alice.completedStates(), [true, false]);
    await alice.reload();
    expect(await alice.titles()).toEqual(['buy some cheese', 'feed the cat']);
    expect(await alice.completedStates()).toEqual([true, false]);
  });

  it('opens the newest opened list from the start page when the browser made none', async () => {
    const alice = await e2e.open('/');
    await alice.add('shared');
    const context = await e2e.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${e2e.url}/`);
    await page.locator('.todoapp[aria-busy="false"]').waitFor();
    await page.goto(`${e2e.url}/lists/${alice.listId()}`);
    await page.locator('.todoapp[aria-busy="false"]').waitFor();
    await page.goto(`${e2e.url}/`);
    await page.locator('.todoapp[aria-busy="false"]').waitFor();
    expect(page.url()).toBe(`${e2e.url}/lists/${alice.listId()}`);
    expect(await page.locator('.todo-list li label').allTextContents()).toEqual(['shared']);
  });

  it('says so when a link leads to no list, and keeps the browser’s own list', async () => {
    const app = await e2e.open('/');
    await app.add('mine');
    const mine = app.listId();
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'not-a-list-id']) {
      await app.goto(`${e2e.url}/lists/${id}`);
      await app.expectEventually(
        () => app.alert.textContent(),
        expect.stringContaining('does not exist'),
      );
      expect(await app.items.count()).toBe(0);
    }
    await app.alert.locator('a').click();
    await app.settled();
    expect(app.listId()).toBe(mine);
    expect(await app.titles()).toEqual(['mine']);
  });

  it('forgets a remembered list that no longer exists, so that the start page does not loop', async () => {
    const app = await e2e.open('/');
    // As after a reset database: the browser remembers a list the server does not have.
    await app.page.evaluate(() =>
      localStorage.setItem(
        'cloud-todo.lists',
        JSON.stringify([{ id: 'BBBBBBBBBBBBBBBBBBBBBB', title: 'gone', own: true }]),
      ),
    );
    await app.goto(`${e2e.url}/`);
    await app.expectEventually(
      () => app.alert.textContent(),
      expect.stringContaining('does not exist'),
    );
    await app.alert.locator('a').click();
    await app.settled();
    expect(new URL(app.page.url()).pathname).toBe('/');
    expect(await app.alert.textContent()).toBe('');
    expect(await app.page.locator('.lists nav a').allTextContents()).toEqual(['New list']);
  });

  it('keeps what is typed on a dead link, and starts a new list with it', async () => {
    const app = await e2e.open('/lists/CCCCCCCCCCCCCCCCCCCCCC');
    await app.expectEventually(
      () => app.alert.textContent(),
      expect.stringContaining('does not exist'),
    );
    await app.add('not lost');
    expect(await app.titles()).toEqual(['not lost']);
    expect(await app.page.locator('.todo-list .unsaved').count()).toBe(1);
    await app.page.getByRole('button', { name: 'Start a new list with what you typed' }).click();
    await app.settled();
    // The button is gone with the alert: the focus is in the input, ready for the next todo.
    expect(await app.page.evaluate(() => document.activeElement?.className)).toBe('new-todo');
    expect(app.listId()).not.toBe('CCCCCCCCCCCCCCCCCCCCCC');
    expect(await app.alert.textContent()).toBe('');
    expect((await e2e.server.listTodos(app.listId())).map((t) => t.title)).toEqual(['not lost']);
  });
});
