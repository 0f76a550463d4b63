// The pure state logic: what a todo list looks like after a change, what a filter shows,
// what the footer counts. The model (todo-model.ts) applies these to what the server said.

/** A todo as the page shows it. `id` is the page's own, stable while the server assigns one. */
export interface Todo {
  readonly id: string;
  readonly title: string;
  readonly completed: boolean;
}

/** A change the user made, not yet confirmed by the server. */
export type Change =
  | { readonly kind: 'add'; readonly id: string; readonly title: string; readonly key: string }
  | {
      readonly kind: 'toggle';
      readonly id: string;
      readonly title: string;
      readonly completed: boolean;
    }
  | { readonly kind: 'rename'; readonly id: string; readonly title: string; readonly from: string }
  | { readonly kind: 'destroy'; readonly id: string; readonly title: string }
  | { readonly kind: 'toggleAll'; readonly completed: boolean }
  | { readonly kind: 'clearCompleted' }
  | { readonly kind: 'title'; readonly title: string };

/** The list as it will be once the server has accepted `change`. */
export function applyChange(todos: readonly Todo[], change: Change): Todo[] {
  switch (change.kind) {
    case 'add':
      return [...todos, { id: change.id, title: change.title, completed: false }];
    case 'toggle':
      return todos.map((t) => (t.id === change.id ? { ...t, completed: change.completed } : t));
    case 'rename':
      return todos.map((t) => (t.id === change.id ? { ...t, title: change.title } : t));
    case 'destroy':
      return todos.filter((t) => t.id !== change.id);
    case 'toggleAll':
      return todos.map((t) =>
        t.completed === change.completed ? t : { ...t, completed: change.completed },
      );
    case 'clearCompleted':
      return todos.filter((t) => !t.completed);
    case 'title':
      return [...todos];
  }
}

/** The routes of the TodoMVC spec: `#/`, `#/active`, `#/completed`. */
export const FILTERS = {
  all: (_todo: Todo) => true,
  active: (todo: Todo) => !todo.completed,
  completed: (todo: Todo) => todo.completed,
} as const;

export type Filter = keyof typeof FILTERS;

/** The filter a location hash selects (`#!/` is allowed too); anything else shows all. */
export function filterFromHash(hash: string): Filter {
  const name = hash.replace(/^#!?\/?/, '');
  return name === 'active' || name === 'completed' ? name : 'all';
}

export function visibleTodos(todos: readonly Todo[], filter: Filter): Todo[] {
  return todos.filter(FILTERS[filter]);
}

export interface Counts {
  readonly total: number;
  readonly active: number;
  readonly completed: number;
}

/** Derived at render time, never stored. */
export function countTodos(todos: readonly Todo[]): Counts {
  const completed = todos.filter((t) => t.completed).length;
  return { total: todos.length, active: todos.length - completed, completed };
}

/**
 * The spec's title rule: trimmed (a new todo needs at least one character). Control
 * characters, which the API refuses and a paste can bring, become spaces.
 */
export function normaliseTitle(title: string): string {
  // eslint-disable-next-line no-control-regex
  return title.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}
