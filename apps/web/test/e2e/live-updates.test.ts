// Two people on one list, as `npm start` runs it (one process, PGlite): each sees the
// other's changes within a second, through the API's event stream, and is told when the
// todo being edited was changed elsewhere.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../support/api.ts';
import { requireBuiltApp } from '../support/built-app.ts';
import { startBrowser, type BrowserFixture } from '../support/browser.ts';
import { TodoPage } from '../support/todo-page.ts';

let api: RunningApi;
let browser: BrowserFixture;
let dataDir: string;

beforeAll(async () => {
  requireBuiltApp();
  dataDir = await mkdtemp(join(tmpdir(), 'cloud-todo-web-live-'));
  [api, browser] = await Promise.all([startApi({ dataDir }), startBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const open = async (path: string) => TodoPage.open(await browser.newContext(), `${api.url}${path}`);

/** Milliseconds until `read` gives `expected` (polled every 20 ms, up to 5 s). */
async function timeUntil<T>(read: () => Promise<T>, expected: T): Promise<number> {
  const started = Date.now();
  await expect.poll(read, { timeout: 5_000, interval: 20 }).toEqual(expected);
  return Date.now() - started;
}

describe('two browsers on one list, one process on PGlite', () => {
  it('shows each change of either in the other within 1 s', async () => {
    const alice = await open('/');
    await alice.add('buy some cheese');
    const bob = await open(new URL(alice.page.url()).pathname);
    expect(await bob.titles()).toEqual(['buy some cheese']);
    // Let both event streams open.
    await new Promise((resolve) => setTimeout(resolve, 500));

    await bob.newTodo.fill('feed the cat');
    await bob.newTodo.press('Enter');
    const added = await timeUntil(() => alice.titles(), ['buy some cheese', 'feed the cat']);
    await alice.item(0).locator('.toggle').check();
    const toggled = await timeUntil(() => bob.completedStates(), [true, false]);
    await alice.page.locator('.list-title').fill('Groceries');
    await alice.page.locator('.list-title').press('Enter');
    const renamed = await timeUntil(() => bob.page.locator('h1').textContent(), 'Groceries');
    // The page title follows the heading in an effect, a frame later.
    await expect.poll(() => bob.page.title()).toBe('Groceries · cloud-todo');
    expect(await bob.page.locator('.list-title').inputValue()).toBe('Groceries');
    console.log(
      `seen by the other browser: add ${added} ms, toggle ${toggled} ms, title ${renamed} ms`,
    );
    for (const ms of [added, toggled, renamed]) expect(ms).toBeLessThan(1_000);
  });

  it('keeps an edit going when the todo changes elsewhere, and says so', async () => {
    const alice = await open('/');
    await alice.add('feed the cat', 'water the plants');
    const bob = await open(new URL(alice.page.url()).pathname);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const edit = await bob.startEditing(0);
    await edit.fill('feed the cat and the dog');

    const input = await alice.startEditing(0);
    await input.fill('feed the cats');
    await input.press('Enter');
    await alice.settled();
    await expect
      .poll(() => bob.alert.textContent(), { timeout: 15_000 })
      .toContain('Someone else changed the todo you are editing to “feed the cats”');
    // Bob's typing is untouched; his save wins, as the last write does.
    expect(await edit.inputValue()).toBe('feed the cat and the dog');
    await edit.press('Enter');
    await bob.settled();
    await alice.expectEventually(
      () => alice.titles(),
      ['feed the cat and the dog', 'water the plants'],
    );

    const again = await bob.startEditing(1);
    await again.fill('water the garden');
    await alice.item(1).hover();
    await alice.item(1).locator('.destroy').click();
    await alice.settled();
    await bob.expectEventually(
      () => bob.alert.textContent(),
      expect.stringContaining('The todo you were editing was deleted by someone else.'),
    );
    expect(await bob.titles()).toEqual(['feed the cat and the dog']);
  });

  it('keeps an edit on a filter that a tick elsewhere moves its todo out of, and says so', async () => {
    const alice = await open('/');
    await alice.add('feed the cat', 'water the plants');
    const path = new URL(alice.page.url()).pathname;
    const bob = await open(`${path}#/active`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const edit = await bob.startEditing(0);
    await edit.fill('feed the cat and the dog');

    await alice.item(0).locator('.toggle').check();
    await alice.settled();
    await bob.expectEventually(
      () => bob.alert.textContent(),
      expect.stringContaining('Someone else marked the todo you are editing as completed.'),
    );
    // Still there, still being edited, the typing untouched; saved as the last write.
    expect(await edit.inputValue()).toBe('feed the cat and the dog');
    await edit.press('Enter');
    await bob.settled();
    // The edit over, the completed todo leaves the Active view.
    expect(await bob.titles()).toEqual(['water the plants']);
    await alice.expectEventually(
      () => alice.titles(),
      ['feed the cat and the dog', 'water the plants'],
    );
  });
});
