// A shared list people can live with: the browser's own lists stay one click away after a
// shared link, the list's name and link are visible and copyable, and deletions can be
// undone.
import { describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { useE2e } from '../support/e2e.ts';
import { TodoPage } from '../support/todo-page.ts';

const e2e = useE2e();

describe('My lists', () => {
  it('keeps the own list for the start page after a shared link, and both in the switcher', async () => {
    const alice = await e2e.open('/');
    await alice.add('alice’s todo');
    await alice.page.locator('.list-title').fill('Alice’s list');
    await alice.page.locator('.list-title').press('Enter');
    await alice.settled();

    const bob = await e2e.open('/');
    await bob.add('bob’s todo');
    const own = bob.listId();
    await bob.goto(alice.page.url());
    expect(await bob.titles()).toEqual(['alice’s todo']);
    expect(await bob.page.locator('h1').textContent()).toBe('Alice’s list');

    await bob.goto(`${e2e.url}/`);
    expect(bob.listId()).toBe(own);
    expect(await bob.titles()).toEqual(['bob’s todo']);
    const switcher = bob.page.locator('.lists nav a');
    expect(await switcher.allTextContents()).toEqual(['Untitled list', 'Alice’s list', 'New list']);
    expect(await switcher.first().getAttribute('aria-current')).toBe('page');

    // One click to the shared list, one to a new one.
    await bob.page.locator('.lists nav a', { hasText: 'Alice’s list' }).click();
    await bob.settled();
    expect(bob.listId()).toBe(alice.listId());
    await bob.page.locator('.lists nav a', { hasText: 'New list' }).click();
    await bob.settled();
    expect(await bob.items.count()).toBe(0);
    expect(new URL(bob.page.url()).pathname).toBe('/');

    // Forgetting is local: the list stays on the server.
    await bob.goto(alice.page.url());
    await bob.page.locator('.lists .forget').click();
    await bob.page.waitForURL(`${e2e.url}/lists/${own}`);
    await bob.settled();
    expect(await bob.page.locator('.lists nav a').allTextContents()).toEqual([
      'Untitled list',
      'New list',
    ]);
    expect(await e2e.server.listTodos(alice.listId())).toHaveLength(1);
  });
});

describe('Sharing', () => {
  it('copies the link on plain HTTP at a public name too, where there is no Clipboard API', async () => {
    // The course's load balancer is HTTP-only: not a secure context, so no navigator.clipboard.
    const browser = await launchChromium(['--host-resolver-rules=MAP todo.example 127.0.0.1']);
    try {
      const context = await browser.newContext({
        locale: 'en-US',
        permissions: ['clipboard-read', 'clipboard-write'],
      });
      const app = await TodoPage.open(context, `http://todo.example:${new URL(e2e.url).port}/`);
      expect(await app.page.evaluate(() => [isSecureContext, 'clipboard' in navigator])).toEqual([
        false,
        false,
      ]);
      await app.add('shared over HTTP');
      // By keyboard: the focus stays on the button.
      await app.page.locator('.copy-link').focus();
      await app.page.keyboard.press('Enter');
      await app.expectEventually(
        () => app.page.locator('.lists [role="status"]').textContent(),
        'Link copied.',
      );
      expect(await app.page.evaluate(() => document.activeElement?.className)).toBe('copy-link');
      // Read back where the Clipboard API exists (loopback is a secure context).
      const reader = await context.newPage();
      await reader.goto(`${e2e.url}/`);
      expect(await reader.evaluate(() => navigator.clipboard.readText())).toBe(
        `http://todo.example:${new URL(e2e.url).port}/lists/${app.listId()}`,
      );
    } finally {
      await browser.close();
    }
  });

  it('says what the link is, copies it, and shows the list’s name as heading and page title', async () => {
    const app = await e2e.open('/', { permissions: ['clipboard-read', 'clipboard-write'] });
    expect(await app.page.locator('.copy-link').count()).toBe(0);
    await app.add('shared todo');
    expect(await app.page.locator('.lists').textContent()).toContain(
      'anyone with the link can view and edit it',
    );
    await app.page.locator('.copy-link').click();
    await app.expectEventually(
      () => app.page.locator('.lists [role="status"]').textContent(),
      'Link copied.',
    );
    expect(await app.page.evaluate(() => navigator.clipboard.readText())).toBe(
      `${e2e.url}/lists/${app.listId()}`,
    );
    expect(await app.page.title()).toBe('todos · cloud-todo');
    await app.page.locator('.list-title').fill('  Weekend  ');
    await app.page.locator('.list-title').press('Enter');
    await app.settled();
    expect(await app.page.locator('h1').textContent()).toBe('Weekend');
    expect(await app.page.title()).toBe('Weekend · cloud-todo');
    expect((await e2e.server.getList(app.listId())).title).toBe('Weekend');
  });

  it('speaks German too', async () => {
    const app = await e2e.open('/', { locale: 'de-DE' });
    await app.add('geteilt');
    expect(await app.page.locator('.lists').textContent()).toContain(
      'Wer den Link hat, kann sie ansehen und bearbeiten.',
    );
    expect(await app.page.locator('.copy-link').textContent()).toBe('Link kopieren');
  });
});

describe('Undo', () => {
  it('brings back a deleted todo and cleared completed todos, and sends nothing for them', async () => {
    const app = await e2e.open('/');
    await app.add('one', 'two', 'three');
    await app.item(0).hover();
    await app.item(0).locator('.destroy').click();
    expect(await app.titles()).toEqual(['two', 'three']);
    const bar = app.page.locator('.alert.undo');
    expect(await bar.textContent()).toContain('Deleted “one”.');
    await bar.getByRole('button', { name: 'Undo' }).click();
    expect(await app.titles()).toEqual(['one', 'two', 'three']);
    expect(await bar.count()).toBe(0);

    await app.item(1).locator('.toggle').check();
    await app.item(2).locator('.toggle').check();
    await app.settled();
    await app.clearCompleted.click();
    expect(await app.titles()).toEqual(['one']);
    // The focus goes back to the input, not to <body>.
    expect(await app.page.evaluate(() => document.activeElement?.className)).toBe('new-todo');
    await bar.getByRole('button', { name: 'Undo' }).click();
    expect(await app.titles()).toEqual(['one', 'two', 'three']);
    expect((await e2e.server.listTodos(app.listId())).map((t) => t.title)).toEqual([
      'one',
      'two',
      'three',
    ]);
    // Without an undo, the deletion is sent when its time is over.
    await app.item(0).hover();
    await app.item(0).locator('.destroy').click();
    await app.expectEventually(async () => (await e2e.server.listTodos(app.listId())).length, 2);
    expect(await bar.count()).toBe(0);
  });
});

describe('Small things', () => {
  it('names toggle-all without its arrow, counts in a live region, and says when a filter is empty', async () => {
    const app = await e2e.open('/');
    await app.add('active');
    expect(await app.toggleAll.getAttribute('aria-label')).toBe('Mark all as complete');
    expect(await app.count.getAttribute('role')).toBe('status');
    await app.page.locator('.filters a', { hasText: 'Completed' }).click();
    await app.expectEventually(
      () => app.page.locator('.main .nothing').textContent(),
      'Nothing to show here.',
    );
  });

  it('says "Loading…" while a slow connection brings the list', async () => {
    const app = await e2e.open('/');
    await app.add('slowly');
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await app.page.route('**/api/lists/*/todos', async (route) => {
      await held;
      await route.continue();
    });
    await app.page.reload();
    await app.page.locator('.loading').waitFor();
    expect(await app.page.locator('.loading').textContent()).toBe('Loading…');
    expect(await app.page.locator('.loading').getAttribute('role')).toBe('status');
    release();
    await app.settled();
    expect(await app.page.locator('.loading').count()).toBe(0);
    expect(await app.titles()).toEqual(['slowly']);
  });

  it('shows the delete button without hover on a touch screen', async () => {
    const app = await e2e.open('/', {
      hasTouch: true,
      isMobile: true,
      viewport: { width: 390, height: 700 },
    });
    await app.add('touch me');
    expect(await app.item(0).locator('.destroy').isVisible()).toBe(true);
  });
});
