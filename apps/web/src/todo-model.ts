// The one model of the app: the spec's actions (addTodo, toggle, toggleAll, save, destroy,
// clearCompleted) over the API. Every change shows at once (optimistic) and goes to the
// server in order, one request at a time, so that a todo created a moment ago has its
// server id before it is changed. A change the server did not take is kept, shown as a
// failure that can be retried (with the same Idempotency-Key) or dismissed, and the page
// shows the server's truth meanwhile: nothing is dropped silently.
import { ApiError, newIdempotencyKey, type ApiClient, type ServerTodo } from './api-client.ts';
import { applyChange, normaliseTitle, type Change, type Todo } from './todo-state.ts';

/** Something the queue does: a user's change, or opening and reading the list. */
export type Task =
  Change | { readonly kind: 'open' } | { readonly kind: 'load' } | { readonly kind: 'refresh' };

export interface Failure {
  readonly task: Task;
  readonly error: ApiError;
}

export interface ModelState {
  /** The list as the page shows it: the server's truth plus the changes on their way. */
  readonly todos: readonly Todo[];
  /** Changes (or the opening of the list) that failed, oldest first. */
  readonly failures: readonly Failure[];
  /** True once the list's todos have been read from the server. */
  readonly loaded: boolean;
  /** True while requests are on their way or waiting. */
  readonly busy: boolean;
  readonly listId: string | undefined;
}

/**
 * Finds or creates the list the page shows; throws an ApiError when it cannot.
 */
export interface ListOpener {
  open(): Promise<string>;
  /** The list's todos were read: the list exists. */
  loaded(listId: string): void;
  /** The list could not be found: true when a fresh one may be created instead. */
  notFound(listId: string): boolean;
}

/** Opening or reading the list, as opposed to a change the user made. */
export function isListTask(task: Task): boolean {
  return task.kind === 'open' || task.kind === 'load' || task.kind === 'refresh';
}

interface Entry {
  readonly seq: number;
  readonly task: Task;
  state: 'queued' | 'sending' | 'failed';
  error?: ApiError;
}

let idCounter = 0;
function localId(): string {
  idCounter += 1;
  return `local-${idCounter}-${newIdempotencyKey().slice(0, 8)}`;
}

export class TodoModel {
  readonly #api: ApiClient;
  readonly #opener: ListOpener;
  #listId: string | undefined;
  #confirmed: Todo[] = [];
  #loaded = false;
  #entries: Entry[] = [];
  #seq = 0;
  #sending = false;
  /** Page id → server id, and back, so that an item keeps its identity on the page. */
  readonly #serverIds = new Map<string, string>();
  readonly #localIds = new Map<string, string>();
  readonly #listeners = new Set<() => void>();
  #state: ModelState;

  constructor(api: ApiClient, opener: ListOpener) {
    this.#api = api;
    this.#opener = opener;
    this.#state = this.#computeState();
  }

  /** Opens the list and reads its todos. */
  start(): void {
    this.#enqueue({ kind: 'open' });
    this.#enqueue({ kind: 'load' });
  }

  get state(): ModelState {
    return this.#state;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once nothing is waiting or on its way (tests, and the page's unload). */
  idle(): Promise<void> {
    if (!this.#state.busy) return Promise.resolve();
    return new Promise((resolve) => {
      const stop = this.subscribe(() => {
        if (!this.#state.busy) {
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

  destroy(id: string): void {
    const todo = this.#find(id);
    if (todo) this.#enqueue({ kind: 'destroy', id, title: todo.title });
  }

  clearCompleted(): void {
    this.#enqueue({ kind: 'clearCompleted' });
  }

  /** Sends the failed changes again, in their original order and with the same keys. */
  retry(): void {
    for (const entry of this.#entries) {
      if (entry.state === 'failed') {
        entry.state = 'queued';
        delete entry.error;
      }
    }
    this.#changed();
    void this.#pump();
  }

  /**
   * Gives up the failed changes, and reads the server's truth again. Opening and reading
   * the list cannot be given up (nothing works without them): they stay for a retry.
   */
  dismiss(): void {
    this.#entries = this.#entries.filter((e) => e.state !== 'failed' || isListTask(e.task));
    this.refresh();
  }

  /** Reads the list from the server again (another browser may have changed it). */
  refresh(): void {
    if (this.#listId === undefined) {
      this.#changed();
      return;
    }
    const waiting = this.#entries.some((e) => e.task.kind === 'refresh' && e.state === 'queued');
    if (!waiting) this.#enqueue({ kind: 'refresh' });
    else this.#changed();
  }

  // --- the queue --------------------------------------------------------------------------

  #find(id: string): Todo | undefined {
    return this.#state.todos.find((t) => t.id === id);
  }

  #enqueue(task: Task): void {
    this.#seq += 1;
    this.#entries.push({ seq: this.#seq, task, state: 'queued' });
    this.#changed();
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#sending) return;
    this.#sending = true;
    try {
      for (;;) {
        const entry = this.#entries.find((e) => e.state === 'queued');
        if (!entry) break;
        entry.state = 'sending';
        this.#changed();
        try {
          await this.#send(entry.task);
          this.#entries = this.#entries.filter((e) => e !== entry);
        } catch (error) {
          const apiError =
            error instanceof ApiError
              ? error
              : new ApiError(0, error instanceof Error ? error.message : String(error));
          if (entry.task.kind === 'refresh') {
            // A background re-read that failed changes nothing the user did.
            this.#entries = this.#entries.filter((e) => e !== entry);
          } else {
            entry.state = 'failed';
            entry.error = apiError;
            // What the server holds now is unknown: read it again once it answers.
            if (this.#listId !== undefined && apiError.status !== 0)
              this.#enqueueQuietly({ kind: 'refresh' });
          }
        }
        this.#changed();
      }
    } finally {
      this.#sending = false;
      this.#changed();
    }
  }

  #enqueueQuietly(task: Task): void {
    this.#seq += 1;
    this.#entries.push({ seq: this.#seq, task, state: 'queued' });
  }

  #serverId(id: string): string {
    const serverId = this.#serverIds.get(id);
    // Its creation failed, so this change cannot be sent yet; a retry sends both in order.
    if (serverId === undefined) throw new ApiError(0, 'the todo has not been saved yet');
    return serverId;
  }

  #list(): string {
    if (this.#listId === undefined) throw new ApiError(0, 'the list has not been opened yet');
    return this.#listId;
  }

  async #send(task: Task): Promise<void> {
    switch (task.kind) {
      case 'open':
        this.#listId = await this.#opener.open();
        return;
      case 'load':
      case 'refresh':
        await this.#load();
        return;
      case 'add': {
        const todo = await this.#api.createTodo(this.#list(), task.title, task.key);
        this.#serverIds.set(task.id, todo.id);
        this.#localIds.set(todo.id, task.id);
        this.#confirmed = [...this.#confirmed, this.#fromServer(todo)];
        return;
      }
      case 'toggle':
      case 'rename': {
        const patch =
          task.kind === 'toggle' ? { completed: task.completed } : { title: task.title };
        const todo = await this.#api.updateTodo(this.#list(), this.#serverId(task.id), patch);
        const updated = this.#fromServer(todo);
        this.#confirmed = this.#confirmed.map((t) => (t.id === updated.id ? updated : t));
        return;
      }
      case 'destroy':
        try {
          await this.#api.deleteTodo(this.#list(), this.#serverId(task.id));
        } catch (error) {
          // Already gone (another browser deleted it): what the user wanted.
          if (!(error instanceof ApiError && error.status === 404)) throw error;
        }
        this.#confirmed = this.#confirmed.filter((t) => t.id !== task.id);
        return;
      case 'toggleAll': {
        const todos = await this.#api.toggleAll(this.#list(), task.completed);
        this.#confirmed = todos.map((t) => this.#fromServer(t));
        return;
      }
      case 'clearCompleted':
        await this.#api.clearCompleted(this.#list());
        this.#confirmed = this.#confirmed.filter((t) => !t.completed);
        return;
    }
  }

  async #load(): Promise<void> {
    const listId = this.#list();
    let todos: ServerTodo[];
    try {
      todos = await this.#api.listTodos(listId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404 && this.#opener.notFound(listId)) {
        // A remembered list that no longer exists: start a fresh one.
        this.#listId = await this.#opener.open();
        todos = await this.#api.listTodos(this.#listId);
      } else {
        throw error;
      }
    }
    this.#confirmed = todos.map((t) => this.#fromServer(t));
    if (!this.#loaded) this.#opener.loaded(this.#listId ?? listId);
    this.#loaded = true;
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

  #computeState(): ModelState {
    let todos: Todo[] = this.#confirmed;
    const failures: Failure[] = [];
    for (const entry of this.#entries) {
      if (entry.state === 'failed') {
        failures.push({ task: entry.task, error: entry.error ?? new ApiError(0, 'failed') });
      } else if (
        entry.task.kind !== 'open' &&
        entry.task.kind !== 'load' &&
        entry.task.kind !== 'refresh'
      ) {
        todos = applyChange(todos, entry.task);
      }
    }
    return {
      todos,
      failures,
      loaded: this.#loaded,
      busy: this.#entries.some((e) => e.state !== 'failed'),
      listId: this.#listId,
    };
  }

  #changed(): void {
    this.#state = this.#computeState();
    for (const listener of this.#listeners) listener();
  }
}
