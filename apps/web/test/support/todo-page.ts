// The page object of the e2e tests: it finds everything through TodoMVC's class names, so
// that the tests read like the spec and would run against any TodoMVC implementation.
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export class TodoPage {
  readonly page: Page;
  readonly app: Locator;
  readonly newTodo: Locator;
  readonly main: Locator;
  readonly toggleAll: Locator;
  readonly toggleAllLabel: Locator;
  readonly items: Locator;
  readonly footer: Locator;
  readonly count: Locator;
  readonly filters: Locator;
  readonly clearCompleted: Locator;
  readonly alert: Locator;

  constructor(page: Page) {
    this.page = page;
    this.app = page.locator('.todoapp');
    this.newTodo = page.locator('.new-todo');
    this.main = page.locator('.main');
    this.toggleAll = page.locator('.toggle-all');
    this.toggleAllLabel = page.locator('label[for="toggle-all"]');
    this.items = page.locator('.todo-list li');
    this.footer = page.locator('.footer');
    this.count = page.locator('.todo-count');
    this.filters = page.locator('.filters a');
    this.clearCompleted = page.locator('.clear-completed');
    this.alert = page.locator('[role="alert"]');
  }

  static async open(context: BrowserContext, url: string): Promise<TodoPage> {
    const page = await context.newPage();
    // A page with unsaved changes asks before it goes (beforeunload): the tests' user agrees.
    page.on('dialog', (dialog) => void dialog.accept());
    const todoPage = new TodoPage(page);
    await todoPage.goto(url);
    return todoPage;
  }

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
    await this.settled();
  }

  async reload(): Promise<void> {
    await this.page.reload();
    await this.settled();
  }

  /**
   * Waits until the page has no request on its way (the app says so with aria-busy). A
   * deletion held for an undo is confirmed first (its bar's OK), as if its time ran out.
   */
  async settled(): Promise<void> {
    // Let the page handle the last key press and render it first (two animation frames): on
    // a busy machine the undo bar may not exist yet when this looks for it.
    await this.page.evaluate(
      () =>
        new Promise<void>((resolve) =>
          requestAnimationFrame(() => requestAnimationFrame(() => resolve())),
        ),
    );
    const commit = this.page.locator('.alert.undo button.commit');
    if ((await commit.count()) > 0) await commit.evaluate((b: HTMLButtonElement) => b.click());
    await this.page.locator('.todoapp[aria-busy="false"]').waitFor();
  }

  item(index: number): Locator {
    return this.items.nth(index);
  }

  /** Types each title into the new-todo input and presses Enter. */
  async add(...titles: string[]): Promise<void> {
    for (const title of titles) {
      await this.newTodo.fill(title);
      await this.newTodo.press('Enter');
    }
    await this.settled();
  }

  async titles(): Promise<string[]> {
    return this.page.locator('.todo-list li label').allTextContents();
  }

  async completedStates(): Promise<boolean[]> {
    return this.page
      .locator('.todo-list li')
      .evaluateAll((items) => items.map((li) => li.classList.contains('completed')));
  }

  async selectedFilter(): Promise<string | null> {
    return this.page.locator('.filters a.selected').textContent();
  }

  /** The classes of an element (TodoMVC's state is in `completed`, `editing`, `selected`). */
  async classes(locator: Locator): Promise<string[]> {
    return locator.evaluate((el) => [...el.classList]);
  }

  async startEditing(index: number): Promise<Locator> {
    await this.item(index).locator('label').dblclick();
    const edit = this.item(index).locator('.edit');
    // Editing has started once the field holds the focus (and so its title).
    await edit.evaluate(
      (input) =>
        new Promise<void>((resolve) => {
          const check = () =>
            document.activeElement === input ? resolve() : requestAnimationFrame(check);
          check();
        }),
    );
    return edit;
  }

  /** The list id of the address, `/lists/{listId}`. */
  listId(): string {
    const match = /\/lists\/([^/#?]+)/.exec(this.page.url());
    if (!match?.[1]) throw new Error(`not a list's address: ${this.page.url()}`);
    return match[1];
  }

  /** Polls until `read` gives `expected` (the page updates asynchronously). */
  async expectEventually<T>(read: () => Promise<T>, expected: T): Promise<void> {
    await expect.poll(read, { timeout: 15_000 }).toEqual(expected);
  }
}
