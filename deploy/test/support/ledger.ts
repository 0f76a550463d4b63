/**
 * What the load client saw acknowledged, and what it attempted without an answer: the
 * record the database is checked against at the end of a failure test.
 */

/** One version of a todo a client tried to write (the create is version 0). */
export interface TodoVersion {
  readonly title: string;
  readonly completed: boolean;
  /** True once the API answered 2xx for this write. */
  acknowledged: boolean;
  /** When the client sent the write (its first attempt), ms since the load started. */
  startedAt?: number;
  /** When the client received the 2xx, ms since the load started. */
  acknowledgedAt?: number;
}

export interface LedgerTodo {
  readonly listId: string;
  /** Unique per create; every later title is `<base> v<n>`, so rows map back to creates. */
  readonly base: string;
  /** Set once the create is acknowledged (the id comes from the answer). */
  id: string | undefined;
  /** Created with an Idempotency-Key (retries are safe); false for a keyless create. */
  readonly keyed: boolean;
  /** Every write attempted, in order; the worker that owns a todo writes it serially. */
  readonly versions: TodoVersion[];
}

export class Ledger {
  readonly lists = new Set<string>();
  /** By `base` title. */
  readonly todos = new Map<string, LedgerTodo>();

  beginCreate(listId: string, base: string, keyed = true): LedgerTodo {
    const todo: LedgerTodo = {
      listId,
      base,
      id: undefined,
      keyed,
      versions: [{ title: base, completed: false, acknowledged: false }],
    };
    this.todos.set(base, todo);
    return todo;
  }

  /** Acknowledged todos of a list: the ones a read must show. */
  acknowledgedIn(listId: string): LedgerTodo[] {
    return [...this.todos.values()].filter((t) => t.listId === listId && t.id !== undefined);
  }

  get acknowledgedWrites(): number {
    let count = 0;
    for (const todo of this.todos.values()) {
      count += todo.versions.filter((v) => v.acknowledged).length;
    }
    return count;
  }
}

/** The base title of a stored title (`w1-17 v3` → `w1-17`). */
export function baseOf(title: string): string {
  return title.replace(/ v\d+$/, '');
}
