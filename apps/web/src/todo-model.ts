// The one model of the app: the spec's actions (addTodo, toggle, toggleAll, save, destroy,
// clearCompleted) and the list's title, over the API. Every change shows at once and waits
// in an outbox, persisted in localStorage, that is sent in order, one request at a time, so
// that a todo created a moment ago has its server id before it is changed. A change that
// finds no server stays in the outbox, marked "not saved yet", and is sent again with
// backoff, when the browser comes online and when the live stream reconnects; creations
// keep their Idempotency-Key, so a retry never duplicates. A change the server refuses is
// dropped and named in a notice. Deletions wait a few seconds for an undo.
import { ApiError, newIdempotencyKey, type ApiClient, type ServerTodo } from './api-client.ts';
import { applyChange, normaliseTitle, type Change, type Todo } from './todo-state.ts';

/** What the server refused, or what happened to a todo elsewhere. */
export interface Notice {
  readonly kind: 'gone' | 'refused';
  readonly title: string;
}

export interface ModelState {
  /** The list as the page shows it: the server's truth plus the changes on their way. */
  readonly todos: readonly Todo[];
  readonly title: string;
  /** Undefined until the first change creates the list on the server. */
  readonly listId: string | undefined;
  /** True once the list's todos have been read (at once for a new list). */
  readonly loaded: boolean;
  /** True while requests are on their way or waiting. */
  readonly busy: boolean;
  /** The last attempt found no server (or a 5xx); the next one is scheduled. */
  readonly offline: boolean;
  /** Changes that are waiting for the server after a failed attempt. */
  readonly unsaved: number;
  /** The todos (page ids) such changes concern. */
  readonly unsavedIds: ReadonlySet<string>;
  /** Changes not yet confirmed by the server, including a deletion that can be undone. */
  readonly pending: number;
  /** The list of the address does not exist: what was typed waits for a new list. */
  readonly deadLink: boolean;
  readonly notices: readonly Notice[];
  /** A deletion that is held for an undo. */
  readonly undo: Change | undefined;
}

type Task = Change | { readonly kind: 'load' };

interface Entry {
  readonly task: Task;
  tries: number;
  /** Its list was read after a 404 for it: another 404 is about the change, not the list. */
  listChecked?: boolean;
}

/** What the outbox keeps in localStorage. */
interface Saved {
  /** The Idempotency-Key of the list's creation, while it has none. */
  readonly key: string;
  /** Page id → server id of todos created in this outbox. */
  readonly ids: [string, string][];
  readonly changes: Change[];
}

export interface ModelOptions {
  readonly api: ApiClient;
  /** The list of the address; undefined for a list that will exist on the first todo. */
  readonly listId: string | undefined;
  readonly storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined;
  /** Milliseconds before the n-th retry (the last repeats). */
  readonly retryDelays?: readonly number[];
  /** How long a deletion can be undone. */
  readonly undoMs?: number;
  /** The list was created on the server (with the first change). */
  readonly onCreated?: (listId: string) => void;
}

export const OUTBOX_KEY = 'cloud-todo.outbox.';
const NEW_LIST = 'new';

let idCounter = 0;
function localId(): string {
  idCounter += 1;
  return `local-${idCounter}-${newIdempotencyKey().slice(0, 8)}`;
}

function toApiError(error: unknown): ApiError {
  return error instanceof ApiError
    ? error
    : new ApiError(0, error instanceof Error ? error.message : String(error));
}

export class TodoModel {
  readonly #api: ApiClient;
  readonly #storage: ModelOptions['storage'];
  readonly #delays: readonly number[];
  readonly #undoMs: number;
  readonly #onCreated: ((listId: string) => void) | undefined;
  #listId: string | undefined;
  #createKey = newIdempotencyKey();
  #title = '';
  #confirmed: Todo[] = [];
  #loaded: boolean;
  #deadLink = false;
  #entries: Entry[] = [];
  #sending = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #held: { change: Change; timer: ReturnType<typeof setTimeout> } | undefined;
  #notices: Notice[] = [];
  /** Page id → server id, and back, so that an item keeps its identity on the page. */
  readonly #serverIds = new Map<string, string>();
  readonly #localIds = new Map<string, string>();
  readonly #listeners = new Set<() => void>();
  #state: ModelState;

  constructor(options: ModelOptions) {
    this.#api = options.api;
    this.#storage = options.storage;
    this.#delays = options.retryDelays ?? [1_000, 2_000, 4_000, 5_000];
    this.#undoMs = options.undoMs ?? 5_000;
    this.#onCreated = options.onCreated;
    this.#listId = options.listId;
    this.#loaded = options.listId === undefined;
    this.#restore();
    if (this.#listId !== undefined) this.#entries.unshift({ task: { kind: 'load' }, tries: 0 });
    this.#state = this.#computeState();
    void this.#pump();
  }

  get state(): ModelState {
    return this.#state;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once nothing is on its way and nothing waits but a retry (tests). */
  idle(): Promise<void> {
    const quiet = () =>
      !this.#sending && (this.#entries.length === 0 || this.#timer !== undefined || this.#deadLink);
    if (quiet()) return Promise.resolve();
    return new Promise((resolve) => {
      const stop = this.subscribe(() => {
        if (quiet()) {
          stop();
          resolve();
        }
      });
    });
  }

  // --- the spec's actions ---------------------------------------------------------------

  /** Adds a todo with the trimmed title; returns false (and does nothing) for a blank one. */
  addTodo(title: string): boolean {
    const trimmed = normaliseTitle(title);
    if (!trimmed) return false;
    this.#enqueue({ kind: 'add', id: localId(), title: trimmed, key: newIdempotencyKey() });
    return true;
  }

  toggle(id: string): void {
    const todo = this.#find(id);
    if (todo) this.#enqueue({ kind: 'toggle', id, title: todo.title, completed: !todo.completed });
  }

  toggleAll(completed: boolean): void {
    this.#enqueue({ kind: 'toggleAll', completed });
  }

  /** Saves an edit: a blank title destroys the todo, an unchanged one does nothing. */
  save(id: string, title: string): void {
    const todo = this.#find(id);
    if (!todo) return;
    const trimmed = normaliseTitle(title);
    if (!trimmed) this.destroy(id);
    else if (trimmed !== todo.title)
      this.#enqueue({ kind: 'rename', id, title: trimmed, from: todo.title });
  }

  /** Removes the todo at once; the server is told when the undo time is over. */
  destroy(id: string): void {
    const todo = this.#find(id);
    if (todo) this.#hold({ kind: 'destroy', id, title: todo.title });
  }

  clearCompleted(): void {
    this.#hold({ kind: 'clearCompleted' });
  }

  rename(title: string): void {
    const trimmed = normaliseTitle(title).slice(0, 200);
    if (trimmed !== this.#state.title) this.#enqueue({ kind: 'title', title: trimmed });
  }

  /** Takes back the deletion that is held. */
  undo(): void {
    if (!this.#held) return;
    clearTimeout(this.#held.timer);
    this.#held = undefined;
    this.#changed();
  }

  /** Sends the held deletion now (the undo bar was closed, or the page is going away). */
  commit(): void {
    const held = this.#held;
    if (!held) return;
    clearTimeout(held.timer);
    this.#held = undefined;
    this.#enqueue(held.change);
  }

  /** Sends what waits now: the connection is back (online, the live stream reconnected). */
  retryNow(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#changed();
    void this.#pump();
  }

  /** Reads the list from the server again (another browser changed it). */
  refresh(): void {
    if (this.#listId === undefined || this.#deadLink) return;
    // One read waiting is enough: it will see every change made before it runs.
    if (!this.#entries.some((e, i) => e.task.kind === 'load' && (i > 0 || !this.#sending)))
      this.#entries.push({ task: { kind: 'load' }, tries: 0 });
    this.#changed();
    if (!this.#timer) void this.#pump();
  }

  dismissNotices(): void {
    this.#notices = [];
    this.#changed();
  }

  /**
   * The list of the address does not exist: start a new one with what was typed here (the
   * changes to todos of the lost list are given up).
   */
  startNewList(): void {
    this.#storage?.removeItem(OUTBOX_KEY + (this.#listId ?? NEW_LIST));
    this.#listId = undefined;
    this.#deadLink = false;
    this.#loaded = true;
    this.#title = '';
    this.#confirmed = [];
    this.#entries = this.#entries.filter(
      (e) =>
        e.task.kind === 'add' ||
        e.task.kind === 'title' ||
        ('id' in e.task && e.task.id.startsWith('local-')),
    );
    this.#saved();
    this.retryNow();
  }

  // --- the outbox -------------------------------------------------------------------------

  #find(id: string): Todo | undefined {
    return this.#state.todos.find((t) => t.id === id);
  }

  #hold(change: Change): void {
    this.commit();
    this.#held = { change, timer: setTimeout(() => this.commit(), this.#undoMs) };
    this.#changed();
  }

  #enqueue(change: Change): void {
    this.#entries.push({ task: change, tries: 0 });
    this.#saved();
    if (!this.#timer) void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#sending || this.#deadLink) return;
    this.#sending = true;
    this.#changed();
    try {
      for (let entry = this.#entries[0]; entry; entry = this.#entries[0]) {
        try {
          await this.#send(entry.task);
          this.#entries.shift();
        } catch (caught) {
          const error = toApiError(caught);
          if (error.retryable) {
            entry.tries += 1;
            const delay = this.#delays[Math.min(entry.tries, this.#delays.length) - 1] ?? 1_000;
            this.#timer = setTimeout(() => this.retryNow(), delay);
            break;
          }
          if (!this.#refused(entry, error)) break;
        }
        if (entry.task.kind !== 'load') this.#saved();
        else this.#changed();
      }
    } finally {
      this.#sending = false;
      this.#changed();
    }
  }

  /** A change the server refused: false when the outbox must stop (the list is gone). */
  #refused(entry: Entry, error: ApiError): boolean {
    const task = entry.task;
    const listGone =
      (task.kind === 'load' && error.status === 400) ||
      (error.status === 404 &&
        (task.kind === 'load' ||
          task.kind === 'add' ||
          task.kind === 'title' ||
          task.kind === 'toggleAll' ||
          task.kind === 'clearCompleted'));
    if (listGone && task.kind === 'load') {
      this.#entries.shift();
      this.#deadLink = true;
      this.#loaded = true;
      this.#confirmed = [];
      return false;
    }
    if (listGone && !entry.listChecked) {
      // Perhaps this change's list is gone: read it to be sure. If the list is there and
      // the change still finds nothing (a proxy's 404, say), it is given up below, once.
      entry.listChecked = true;
      this.#entries.unshift({ task: { kind: 'load' }, tries: 0 });
      return true;
    }
    this.#entries.shift();
    if (task.kind === 'load') return true;
    const title = 'title' in task ? task.title : '';
    this.#notices = [
      ...this.#notices,
      {
        // "Deleted by someone else" fits a todo only; for the list, its load said otherwise.
        kind: error.status === 404 && !listGone ? 'gone' : 'refused',
        title: 'from' in task ? task.from : title,
      },
    ];
    this.refresh();
    return true;
  }

  #serverId(id: string): string {
    const serverId = this.#serverIds.get(id);
    // A todo whose creation was given up: nothing to change on the server.
    if (serverId === undefined) throw new ApiError(404, 'not saved');
    return serverId;
  }

  async #list(): Promise<string> {
    if (this.#listId === undefined) {
      const list = await this.#api.createList(this.#createKey);
      this.#storage?.removeItem(OUTBOX_KEY + NEW_LIST);
      this.#listId = list.id;
      this.#title = list.title;
      this.#loaded = true;
      this.#onCreated?.(list.id);
    }
    return this.#listId;
  }

  async #send(task: Task): Promise<void> {
    switch (task.kind) {
      case 'load': {
        const listId = await this.#list();
        const [list, todos] = await Promise.all([
          this.#api.getList(listId),
          this.#api.listTodos(listId),
        ]);
        this.#title = list.title;
        this.#confirmed = todos.map((t) => this.#fromServer(t));
        this.#loaded = true;
        return;
      }
      case 'add': {
        const todo = await this.#api.createTodo(await this.#list(), task.title, task.key);
        // A replay (its first answer was lost, the page reloaded) may find the todo already
        // read from the server under its server id: it takes that item's place, not a second.
        const shownAs = this.#localIds.get(todo.id);
        this.#serverIds.set(task.id, todo.id);
        this.#localIds.set(todo.id, task.id);
        const created = this.#fromServer(todo);
        this.#confirmed = this.#confirmed.some((t) => t.id === shownAs)
          ? this.#confirmed.map((t) => (t.id === shownAs ? created : t))
          : [...this.#confirmed, created];
        return;
      }
      case 'toggle':
      case 'rename': {
        const patch =
          task.kind === 'toggle' ? { completed: task.completed } : { title: task.title };
        const todo = await this.#api.updateTodo(await this.#list(), this.#serverId(task.id), patch);
        const updated = this.#fromServer(todo);
        this.#confirmed = this.#confirmed.map((t) => (t.id === updated.id ? updated : t));
        return;
      }
      case 'destroy':
        try {
          await this.#api.deleteTodo(await this.#list(), this.#serverId(task.id));
        } catch (error) {
          // Already gone (another browser deleted it): what the user wanted.
          if (!(error instanceof ApiError && error.status === 404)) throw error;
        }
        this.#confirmed = this.#confirmed.filter((t) => t.id !== task.id);
        return;
      case 'toggleAll': {
        const todos = await this.#api.toggleAll(await this.#list(), task.completed);
        this.#confirmed = todos.map((t) => this.#fromServer(t));
        return;
      }
      case 'clearCompleted':
        await this.#api.clearCompleted(await this.#list());
        this.#confirmed = this.#confirmed.filter((t) => !t.completed);
        return;
      case 'title':
        this.#title = (await this.#api.renameList(await this.#list(), task.title)).title;
        return;
    }
  }

  #fromServer(todo: ServerTodo): Todo {
    let id = this.#localIds.get(todo.id);
    if (id === undefined) {
      id = todo.id;
      this.#localIds.set(todo.id, id);
      this.#serverIds.set(id, todo.id);
    }
    return { id, title: todo.title, completed: todo.completed };
  }

  // --- persistence ------------------------------------------------------------------------

  #restore(): void {
    try {
      const text = this.#storage?.getItem(OUTBOX_KEY + (this.#listId ?? NEW_LIST));
      if (!text) return;
      const saved = JSON.parse(text) as Saved;
      this.#createKey = saved.key;
      for (const [local, server] of saved.ids) {
        this.#serverIds.set(local, server);
        this.#localIds.set(server, local);
      }
      // Restored from an earlier visit: not saved yet, by definition.
      this.#entries = saved.changes.map((task) => ({ task, tries: 1 }));
    } catch {
      // Unreadable: nothing to restore.
    }
  }

  /** The outbox changed: store it, then tell the page. */
  #saved(): void {
    const changes = this.#entries.flatMap((e) => (e.task.kind === 'load' ? [] : [e.task]));
    const key = OUTBOX_KEY + (this.#listId ?? NEW_LIST);
    try {
      if (changes.length === 0) this.#storage?.removeItem(key);
      else {
        const ids = [...this.#serverIds].filter(([local]) =>
          changes.some((c) => 'id' in c && c.id === local),
        );
        const saved: Saved = { key: this.#createKey, ids, changes };
        this.#storage?.setItem(key, JSON.stringify(saved));
      }
    } catch {
      // Storage full or blocked: the outbox lasts for this page only.
    }
    this.#changed();
  }

  #computeState(): ModelState {
    let todos: Todo[] = this.#confirmed;
    let title = this.#title;
    let unsaved = 0;
    const unsavedIds = new Set<string>();
    const changes: Change[] = [];
    // Behind a change that found no server, every change waits: none is saved yet.
    const stalled = this.#timer !== undefined || this.#deadLink;
    for (const entry of this.#entries) {
      const task = entry.task;
      if (task.kind === 'load') continue;
      changes.push(task);
      if (entry.tries > 0 || stalled) {
        unsaved += 1;
        if ('id' in task) unsavedIds.add(task.id);
      }
    }
    if (this.#held) changes.push(this.#held.change);
    for (const change of changes) {
      todos = applyChange(todos, change);
      if (change.kind === 'title') title = change.title;
    }
    return {
      todos,
      title,
      listId: this.#listId,
      loaded: this.#loaded,
      busy: this.#sending || (this.#entries.length > 0 && !this.#timer && !this.#deadLink),
      offline: this.#timer !== undefined,
      unsaved,
      unsavedIds,
      pending: changes.length,
      deadLink: this.#deadLink,
      notices: this.#notices,
      undo: this.#held?.change,
    };
  }

  #changed(): void {
    this.#state = this.#computeState();
    for (const listener of this.#listeners) listener();
  }
}
