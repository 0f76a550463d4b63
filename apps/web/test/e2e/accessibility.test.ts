// Keyboard-only use, axe in both languages and both themes, and the language and theme
// switches (from the browser, switchable, remembered).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useE2e } from '../support/e2e.ts';
import type { TodoPage } from '../support/todo-page.ts';

const e2e = useE2e();
const require = createRequire(import.meta.url);
const axeSource = readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Runs axe-core in the page (through the debugger protocol, which the CSP does not block). */
async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(await axeSource);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (o: object) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run({ resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

const focused = (app: TodoPage) =>
  app.page.evaluate(() => {
    const el = document.activeElement;
    if (!el) return '';
    const li = el.closest('.todo-list li');
    const index = li ? [...li.parentElement!.children].indexOf(li) : -1;
    return `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}${index >= 0 ? `@${index}` : ''}`;
  });

describe('keyboard only', () => {
  it('adds, completes, edits, deletes and filters todos without a mouse', async () => {
    const app = await e2e.open('/');
    const keys = app.page.keyboard;
    expect(await focused(app)).toBe('input.new-todo');
    for (const title of ['buy some cheese', 'feed the cat', 'book a doctors appointment']) {
      await keys.type(title);
      await keys.press('Enter');
    }
    await app.settled();
    expect(await app.titles()).toHaveLength(3);

    await keys.press('Tab');
    expect(await focused(app)).toBe('input.toggle-all');
    await keys.press('Space');
    await app.settled();
    expect(await app.completedStates()).toEqual([true, true, true]);
    await keys.press('Space');
    await app.settled();

    await keys.press('Tab');
    expect(await focused(app)).toBe('input.toggle@0');
    await keys.press('Space');
    await app.settled();
    expect(await app.completedStates()).toEqual([true, false, false]);

    // The delete button shows for the focused item, as on hover.
    expect(await app.item(0).locator('.destroy').isVisible()).toBe(true);
    await keys.press('Tab');
    expect(await focused(app)).toBe('button.destroy@0');
    await keys.press('Tab');
    expect(await focused(app)).toBe('input.toggle@1');

    // Enter edits, Enter saves and gives the focus back to the item.
    await keys.press('Enter');
    await app.expectEventually(() => focused(app), 'input.edit@1');
    await keys.press('End');
    await keys.type(' and the dog');
    await keys.press('Enter');
    await app.settled();
    expect(await app.titles()).toEqual([
      'buy some cheese',
      'feed the cat and the dog',
      'book a doctors appointment',
    ]);
    await app.expectEventually(() => focused(app), 'input.toggle@1');

    // Escape discards an edit.
    await keys.press('Enter');
    await app.expectEventually(() => focused(app), 'input.edit@1');
    await keys.type(' (not this)');
    await keys.press('Escape');
    await app.expectEventually(() => focused(app), 'input.toggle@1');
    expect((await app.titles())[1]).toBe('feed the cat and the dog');

    // Delete removes the item; the focus moves to the next one.
    await keys.press('Delete');
    await app.settled();
    expect(await app.titles()).toEqual(['buy some cheese', 'book a doctors appointment']);
    await app.expectEventually(() => focused(app), 'input.toggle@1');

    // On to the filters and "Clear completed".
    await keys.press('Tab');
    await keys.press('Tab');
    expect(await focused(app)).toBe('a.selected');
    await keys.press('Tab');
    await keys.press('Enter');
    await app.expectEventually(() => app.selectedFilter(), 'Active');
    expect(await app.titles()).toEqual(['book a doctors appointment']);
    await keys.press('Tab');
    await keys.press('Tab');
    expect(await focused(app)).toBe('button.clear-completed');
    await keys.press('Enter');
    await app.settled();
    expect((await e2e.server.listTodos(app.listId())).map((t) => t.title)).toEqual([
      'book a doctors appointment',
    ]);
  });
});

describe('keyboard only, the new controls', () => {
  /** Presses Tab until `target` has the focus (at most 20 times); false if it never does. */
  const tabTo = async (app: TodoPage, target: string) => {
    for (let i = 0; i < 20; i += 1) {
      await app.page.keyboard.press('Tab');
      if ((await focused(app)) === target) return true;
    }
    return false;
  };

  it('undoes a deletion, names the list and copies its link without a mouse', async () => {
    const app = await e2e.open('/', { permissions: ['clipboard-read', 'clipboard-write'] });
    const keys = app.page.keyboard;
    await keys.type('keep me');
    await keys.press('Enter');
    await app.settled();
    expect(await tabTo(app, 'input.toggle@0')).toBe(true);
    await keys.press('Delete');
    expect(await app.items.count()).toBe(0);
    expect(await tabTo(app, 'button.undo')).toBe(true);
    await keys.press('Enter');
    expect(await app.titles()).toEqual(['keep me']);
    // The focus goes back to the todo that came back, never to the page's body.
    await app.expectEventually(() => focused(app), 'input.toggle@0');
    // OK sends the deletion and puts the focus into the input.
    await keys.press('Delete');
    expect(await tabTo(app, 'button.commit')).toBe(true);
    await keys.press('Enter');
    await app.expectEventually(() => focused(app), 'input.new-todo');
    await keys.type('keep me');
    await keys.press('Enter');
    await app.settled();
    // A bar that runs out while it has the focus hands it on too.
    expect(await tabTo(app, 'input.toggle@0')).toBe(true);
    await keys.press('Delete');
    expect(await tabTo(app, 'button.undo')).toBe(true);
    await app.page.locator('.alert.undo').waitFor({ state: 'detached', timeout: 10_000 });
    await app.expectEventually(() => focused(app), 'input.new-todo');
    await keys.type('keep me');
    await keys.press('Enter');
    await app.settled();

    expect(await tabTo(app, 'input.list-title')).toBe(true);
    await keys.type('Chores');
    await keys.press('Enter');
    await app.settled();
    expect(await app.page.locator('h1').textContent()).toBe('Chores');
    expect(await tabTo(app, 'button.copy-link')).toBe(true);
    await keys.press('Enter');
    await app.expectEventually(
      () => app.page.evaluate(() => navigator.clipboard.readText()),
      app.page.url().replace(/#.*$/, ''),
    );
  });
});

describe('axe', () => {
  for (const locale of ['en-US', 'de-DE']) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`finds no violations in ${locale}, ${colorScheme}`, async () => {
        const app = await e2e.open('/', { locale, colorScheme });
        await app.add('buy some cheese', 'feed the cat', 'book a doctors appointment');
        await app.item(1).locator('.toggle').check();
        await app.settled();
        await app.item(0).hover();
        expect(await axeViolations(app.page)).toEqual([]);
        await app.startEditing(2);
        expect(await axeViolations(app.page)).toEqual([]);
      });
    }
  }

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`finds no violations in an empty filter and a "deleted by someone else" notice, ${colorScheme}`, async () => {
      const app = await e2e.open('/', { colorScheme });
      await app.add('ticked elsewhere');
      await app.goto(`${app.page.url().replace(/#.*$/, '')}#/completed`);
      await app.page.getByText('Nothing to show here.').waitFor();
      expect(await axeViolations(app.page)).toEqual([]);
      // A tick sent while offline, to a todo deleted meanwhile: the notice, in plain words.
      await app.page.evaluate(() => (location.hash = '#/'));
      await app.item(0).waitFor();
      await app.page.context().setOffline(true);
      await app.item(0).locator('.toggle').check();
      const [todo] = await e2e.server.listTodos(app.listId());
      await e2e.server.deleteTodo(app.listId(), todo!.id);
      await app.page.context().setOffline(false);
      await app.expectEventually(
        () => app.alert.textContent(),
        expect.stringContaining('“ticked elsewhere” was deleted by someone else'),
      );
      expect(await axeViolations(app.page)).toEqual([]);
    });
  }

  it('finds no violations in the status, undo and notice messages, nor in the lists bar', async () => {
    const app = await e2e.open('/', { colorScheme: 'dark', locale: 'de-DE' });
    await app.add('gelöscht', 'behalten');
    await app.item(0).hover();
    await app.item(0).locator('.destroy').click();
    await app.page.locator('.alert.undo').waitFor();
    expect(await axeViolations(app.page)).toEqual([]);
    await e2e.api.stop();
    try {
      await app.add('nicht gespeichert');
      await app.page.locator('.alert.unsaved').waitFor();
      expect(await axeViolations(app.page)).toEqual([]);
    } finally {
      await e2e.api.restart();
    }
    await app.page.locator('.alert.unsaved').waitFor({ state: 'detached', timeout: 10_000 });
    await app.goto(`${e2e.url}/lists/AAAAAAAAAAAAAAAAAAAAAA`);
    await app.add('auf einem toten Link');
    await app.page.locator('.start-new').waitFor();
    expect(await axeViolations(app.page)).toEqual([]);
  });
});

describe('languages', () => {
  it('speaks German to a German browser, and English to others', async () => {
    const de = await e2e.open('/', { locale: 'de-CH' });
    expect(await de.page.getAttribute('html', 'lang')).toBe('de');
    expect(await de.newTodo.getAttribute('placeholder')).toBe('Was ist zu tun?');
    await de.add('Käse kaufen', 'Katze füttern');
    expect(await de.count.textContent()).toBe('2 Aufgaben offen');
    await de.item(0).locator('.toggle').check();
    expect(await de.count.textContent()).toBe('1 Aufgabe offen');
    expect(await de.clearCompleted.textContent()).toBe('Erledigte entfernen');
    expect(await de.filters.allTextContents()).toEqual(['Alle', 'Offen', 'Erledigt']);
    await de.settled();

    const fr = await e2e.open('/', { locale: 'fr-FR' });
    expect(await fr.page.getAttribute('html', 'lang')).toBe('en');
    expect(await fr.newTodo.getAttribute('placeholder')).toBe('What needs to be done?');
  });

  it('switches language and remembers the choice', async () => {
    const app = await e2e.open('/', { locale: 'en-GB' });
    await app.page.selectOption('select.language', 'de');
    expect(await app.newTodo.getAttribute('placeholder')).toBe('Was ist zu tun?');
    expect(await app.page.getAttribute('html', 'lang')).toBe('de');
    await app.reload();
    expect(await app.newTodo.getAttribute('placeholder')).toBe('Was ist zu tun?');
    await app.page.selectOption('select.language', 'en');
    await app.reload();
    expect(await app.newTodo.getAttribute('placeholder')).toBe('What needs to be done?');
  });
});

describe('themes', () => {
  const background = (app: TodoPage) =>
    app.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const LIGHT = 'rgb(245, 245, 245)';
  const DARK = 'rgb(18, 18, 18)';

  it('follows the system’s light or dark scheme', async () => {
    expect(await background(await e2e.open('/', { colorScheme: 'light' }))).toBe(LIGHT);
    expect(await background(await e2e.open('/', { colorScheme: 'dark' }))).toBe(DARK);
  });

  it('switches theme and remembers the choice over the system’s', async () => {
    const app = await e2e.open('/', { colorScheme: 'light' });
    await app.page.selectOption('select.theme', 'dark');
    expect(await background(app)).toBe(DARK);
    await app.reload();
    expect(await background(app)).toBe(DARK);
    expect(await app.page.inputValue('select.theme')).toBe('dark');
    await app.page.selectOption('select.theme', 'system');
    expect(await background(app)).toBe(LIGHT);
    await app.reload();
    expect(await app.page.inputValue('select.theme')).toBe('system');
  });
});
