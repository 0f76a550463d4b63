// The TodoMVC app specification (tastejs/todomvc, app-spec.md), section by section, in
// Chromium against the real API on PostgreSQL.
import { describe, expect, it } from 'vitest';
import { useE2e } from '../support/e2e.ts';

const e2e = useE2e();
const TODOS = ['buy some cheese', 'feed the cat', 'book a doctors appointment'];

describe('No todos', () => {
  it('hides #main and #footer', async () => {
    const app = await e2e.open();
    // The app took over the page's static shell rather than adding a second one.
    expect(await app.page.locator('.todoapp').count()).toBe(1);
    expect(await app.page.locator('h1').count()).toBe(1);
    expect(await app.items.count()).toBe(0);
    expect(await app.main.count()).toBe(0);
    expect(await app.footer.count()).toBe(0);
  });
});

describe('New todo', () => {
  it('focuses the input when the page is loaded', async () => {
    const app = await e2e.open();
    expect(await app.newTodo.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await app.newTodo.getAttribute('placeholder')).toBe('What needs to be done?');
  });

  it('appends a todo on Enter, clears the input at once, and shows main and footer', async () => {
    const app = await e2e.open();
    await app.newTodo.fill(TODOS[0]!);
    await app.newTodo.press('Enter');
    expect(await app.newTodo.inputValue()).toBe('');
    await app.add(TODOS[1]!);
    expect(await app.titles()).toEqual(TODOS.slice(0, 2));
    expect(await app.main.isVisible()).toBe(true);
    expect(await app.footer.isVisible()).toBe(true);
    await expect
      .poll(async () => (await e2e.server.listTodos(app.listId())).map((t) => t.title))
      .toEqual(TODOS.slice(0, 2));
  });

  it('trims the input and creates nothing from blanks', async () => {
    const app = await e2e.open();
    await app.add(`   ${TODOS[0]!}  `, '    ', '');
    expect(await app.titles()).toEqual([TODOS[0]]);
    await expect
      .poll(async () => (await e2e.server.listTodos(app.listId())).map((t) => t.title))
      .toEqual([TODOS[0]]);
  });
});

describe('Mark all as complete', () => {
  it('toggles every todo to its own state, with one click on the checkbox itself', async () => {
    const app = await e2e.open();
    await app.add(...TODOS);
    // The checkbox is drawn 1px wide and transparent (its label is the visible arrow):
    // click it as a script or an assistive technology does.
    await app.toggleAll.evaluate((el: HTMLInputElement) => el.click());
    await app.settled();
    expect(await app.completedStates()).toEqual([true, true, true]);
    expect(await app.toggleAll.isChecked()).toBe(true);
    await app.toggleAll.evaluate((el: HTMLInputElement) => el.click());
    await app.settled();
    expect(await app.completedStates()).toEqual([false, false, false]);
    await expect
      .poll(async () => (await e2e.server.listTodos(app.listId())).every((t) => !t.completed))
      .toBe(true);
  });

  it('works from its label as TodoMVC draws it', async () => {
    const app = await e2e.open();
    await app.add(...TODOS);
    await app.toggleAllLabel.click();
    await app.settled();
    expect(await app.completedStates()).toEqual([true, true, true]);
    await expect
      .poll(async () => (await e2e.server.listTodos(app.listId())).every((t) => t.completed))
      .toBe(true);
  });

  it('follows the items: checked when all are, unchecked when one is not', async () => {
    const app = await e2e.open();
    await app.add(TODOS[0]!, TODOS[1]!);
    await app.item(0).locator('.toggle').check();
    expect(await app.toggleAll.isChecked()).toBe(false);
    await app.item(1).locator('.toggle').check();
    expect(await app.toggleAll.isChecked()).toBe(true);
    await app.item(0).locator('.toggle').uncheck();
    expect(await app.toggleAll.isChecked()).toBe(false);
    await app.settled();
  });

  it('is cleared after "Clear completed"', async () => {
    const app = await e2e.open();
    await app.add(...TODOS);
    await app.toggleAllLabel.click();
    await app.clearCompleted.click();
    await app.settled();
    expect(await app.items.count()).toBe(0);
    await app.add(TODOS[0]!);
    expect(await app.toggleAll.isChecked()).toBe(false);
  });
});

describe('Item', () => {
  it('marks a todo complete with its checkbox, toggling the class completed on its <li>', async () => {
    const app = await e2e.open();
    await app.add(...TODOS);
    await app.item(1).locator('.toggle').check();
    expect(await app.completedStates()).toEqual([false, true, false]);
    await app.item(1).locator('.toggle').uncheck();
    expect(await app.completedStates()).toEqual([false, false, false]);
    await app.item(0).locator('.toggle').check();
    await app.settled();
    const onServer = await e2e.server.listTodos(app.listId());
    expect(onServer.map((t) => t.completed)).toEqual([true, false, false]);
  });

  it('enters editing mode on a double-click of the label, toggling .editing on its <li>', async () => {
    const app = await e2e.open();
    await app.add(...TODOS);
    await app.startEditing(1);
    expect(await app.classes(app.item(1))).toContain('editing');
    expect(await app.classes(app.item(0))).not.toContain('editing');
  });

  it('shows the remove button on hover, and removes the todo with it', async () => {
    const app = await e2e.open();
    await app.add(...TODOS);
    const destroy = app.item(1).locator('.destroy');
    expect(await destroy.isVisible()).toBe(false);
    await app.item(1).hover();
    expect(await destroy.isVisible()).toBe(true);
    await destroy.click();
    await app.settled();
    expect(await app.titles()).toEqual([TODOS[0], TODOS[2]]);
    await expect
      .poll(async () => (await e2e.server.listTodos(app.listId())).map((t) => t.title))
      .toEqual([TODOS[0], TODOS[2]]);
  });
});

describe('Editing', () => {
  it('hides the other controls and focuses an input holding the title', async () => {
    const app = await e2e.open();
    await app.add(...TODOS);
    const edit = await app.startEditing(1);
    expect(await edit.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await edit.inputValue()).toBe(TODOS[1]);
    expect(await app.item(1).locator('.toggle').isVisible()).toBe(false);
    expect(await app.item(1).locator('label').isVisible()).toBe(false);
  });

  it('saves on Enter, trimmed, and leaves editing mode', async () => {
    const app = await e2e.open();
    await app.add(...TODOS);
    const edit = await app.startEditing(1);
    await edit.fill('   buy some sausages  ');
    await edit.press('Enter');
    await app.settled();
    expect(await app.titles()).toEqual([TODOS[0], 'buy some sausages', TODOS[2]]);
    expect(await app.classes(app.item(1))).not.toContain('editing');
    await expect
      .poll(async () => (await e2e.server.listTodos(app.listId()))[1]?.title)
      .toBe('buy some sausages');
  });

  it('saves on blur', async () => {
    const app = await e2e.open();
    await app.add(...TODOS);
    const edit = await app.startEditing(0);
    await edit.fill('buy some sausages');
    await edit.blur();
    await app.settled();
    expect(await app.titles()).toEqual(['buy some sausages', TODOS[1], TODOS[2]]);
    await expect
      .poll(async () => (await e2e.server.listTodos(app.listId()))[0]?.title)
      .toBe('buy some sausages');
  });

  it('destroys the todo when the edit is emptied', async () => {
    const app = await e2e.open();
    await app.add(...TODOS);
    const edit = await app.startEditing(1);
    await edit.fill('   ');
    await edit.press('Enter');
    await app.settled();
    expect(await app.titles()).toEqual([TODOS[0], TODOS[2]]);
    await expect.poll(async () => (await e2e.server.listTodos(app.listId())).length).toBe(2);
  });

  it('discards the changes on Escape', async () => {
    const app = await e2e.open();
    await app.add(...TODOS);
    const edit = await app.startEditing(1);
    await edit.fill('foo');
    await edit.press('Escape');
    await app.settled();
    expect(await app.titles()).toEqual(TODOS);
    expect(await app.classes(app.item(1))).not.toContain('editing');
    await expect
      .poll(async () => (await e2e.server.listTodos(app.listId()))[1]?.title)
      .toBe(TODOS[1]);
  });
});

describe('Counter', () => {
  it('counts the active todos, the number in <strong>, "item" pluralised', async () => {
    const app = await e2e.open();
    await app.add(TODOS[0]!);
    expect(await app.count.textContent()).toBe('1 item left');
    expect(await app.count.locator('strong').textContent()).toBe('1');
    await app.add(TODOS[1]!);
    expect(await app.count.textContent()).toBe('2 items left');
    await app.toggleAllLabel.click();
    expect(await app.count.textContent()).toBe('0 items left');
    await app.settled();
  });
});

describe('Clear completed button', () => {
  it('is hidden when nothing is completed, and removes the completed todos', async () => {
    const app = await e2e.open();
    await app.add(...TODOS);
    expect(await app.clearCompleted.count()).toBe(0);
    await app.item(1).locator('.toggle').check();
    expect(await app.clearCompleted.textContent()).toBe('Clear completed');
    await app.clearCompleted.click();
    await app.settled();
    expect(await app.titles()).toEqual([TODOS[0], TODOS[2]]);
    expect(await app.clearCompleted.count()).toBe(0);
    await expect
      .poll(async () => (await e2e.server.listTodos(app.listId())).map((t) => t.title))
      .toEqual([TODOS[0], TODOS[2]]);
  });
});

describe('Routing', () => {
  it('filters by #/active and #/completed, toggling .selected on the links', async () => {
    const app = await e2e.open();
    await app.add(...TODOS);
    await app.item(1).locator('.toggle').check();
    await app.settled();
    expect(await app.selectedFilter()).toBe('All');
    // The page renders after the hashchange event, which follows the click.
    await app.page.locator('.filters a', { hasText: 'Active' }).click();
    expect(app.page.url()).toMatch(/#\/active$/);
    await app.expectEventually(() => app.selectedFilter(), 'Active');
    expect(await app.titles()).toEqual([TODOS[0], TODOS[2]]);
    await app.page.locator('.filters a', { hasText: 'Completed' }).click();
    await app.expectEventually(() => app.selectedFilter(), 'Completed');
    expect(await app.titles()).toEqual([TODOS[1]]);
    await app.page.locator('.filters a', { hasText: 'All' }).click();
    await app.expectEventually(() => app.titles(), TODOS);
  });

  it('updates a filtered list when an item changes: checked on Active hides it', async () => {
    const app = await e2e.open();
    await app.add(...TODOS);
    await app.page.locator('.filters a', { hasText: 'Active' }).click();
    // click, not check: the item leaves the list as it is checked.
    await app.item(0).locator('.toggle').click();
    expect(await app.titles()).toEqual([TODOS[1], TODOS[2]]);
    await app.settled();
  });

  it('goes back to the previous filter with the browser’s back button', async () => {
    const app = await e2e.open();
    await app.add(...TODOS);
    await app.item(1).locator('.toggle').check();
    await app.page.locator('.filters a', { hasText: 'Active' }).click();
    await app.page.locator('.filters a', { hasText: 'Completed' }).click();
    await app.page.goBack();
    await app.expectEventually(() => app.selectedFilter(), 'Active');
    expect(await app.titles()).toEqual([TODOS[0], TODOS[2]]);
    await app.page.goBack();
    await app.expectEventually(() => app.selectedFilter(), 'All');
    await app.settled();
  });

  it('keeps the filter on reload, and accepts #!/', async () => {
    const app = await e2e.open();
    await app.add(...TODOS);
    await app.item(0).locator('.toggle').check();
    await app.page.locator('.filters a', { hasText: 'Completed' }).click();
    await app.settled();
    await app.reload();
    expect(await app.selectedFilter()).toBe('Completed');
    expect(await app.titles()).toEqual([TODOS[0]]);
    await app.goto(`${e2e.url}/lists/${app.listId()}#!/active`);
    expect(await app.selectedFilter()).toBe('Active');
    expect(await app.titles()).toEqual([TODOS[1], TODOS[2]]);
  });
});
