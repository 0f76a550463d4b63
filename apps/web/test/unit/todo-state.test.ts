import { describe, expect, it } from 'vitest';
import {
  applyChange,
  countTodos,
  FILTERS,
  filterFromHash,
  normaliseTitle,
  visibleTodos,
  type Todo,
} from '../../src/todo-state.ts';

const todos: Todo[] = [
  { id: 'a', title: 'buy some cheese', completed: false },
  { id: 'b', title: 'feed the cat', completed: true },
  { id: 'c', title: 'book a doctors appointment', completed: false },
];

describe('filters', () => {
  it('reads the routes of the spec from the hash, #!/ included', () => {
    expect(filterFromHash('')).toBe('all');
    expect(filterFromHash('#/')).toBe('all');
    expect(filterFromHash('#/active')).toBe('active');
    expect(filterFromHash('#/completed')).toBe('completed');
    expect(filterFromHash('#!/completed')).toBe('completed');
    expect(filterFromHash('#/nonsense')).toBe('all');
  });

  it('shows all, the active or the completed todos, in their order', () => {
    expect(visibleTodos(todos, 'all').map((t) => t.id)).toEqual(['a', 'b', 'c']);
    expect(visibleTodos(todos, 'active').map((t) => t.id)).toEqual(['a', 'c']);
    expect(visibleTodos(todos, 'completed').map((t) => t.id)).toEqual(['b']);
    expect(Object.keys(FILTERS)).toEqual(['all', 'active', 'completed']);
  });

  it('hides an item that no longer matches once it changes', () => {
    const toggled = applyChange(todos, {
      kind: 'toggle',
      id: 'a',
      title: 'buy some cheese',
      completed: true,
    });
    expect(visibleTodos(toggled, 'active').map((t) => t.id)).toEqual(['c']);
  });
});

describe('titles', () => {
  it('trims, and turns control characters into spaces', () => {
    expect(normaliseTitle('  buy some cheese \t')).toBe('buy some cheese');
    expect(normaliseTitle('buy\tsome\u0007cheese')).toBe('buy some cheese');
    expect(normaliseTitle(' \t ')).toBe('');
  });
});

describe('counts', () => {
  it('counts active and completed todos', () => {
    expect(countTodos(todos)).toEqual({ total: 3, active: 2, completed: 1 });
    expect(countTodos([])).toEqual({ total: 0, active: 0, completed: 0 });
  });
});

describe('changes', () => {
  it('appends a new todo, not completed', () => {
    const added = applyChange(todos, { kind: 'add', id: 'd', title: 'walk', key: 'k' });
    expect(added.at(-1)).toEqual({ id: 'd', title: 'walk', completed: false });
    expect(added).toHaveLength(4);
    expect(todos).toHaveLength(3);
  });

  it('renames, destroys, toggles all and clears completed', () => {
    expect(
      applyChange(todos, {
        kind: 'rename',
        id: 'b',
        title: 'feed the dog',
        from: 'feed the cat',
      })[1]?.title,
    ).toBe('feed the dog');
    expect(
      applyChange(todos, { kind: 'destroy', id: 'b', title: 'feed the cat' }).map((t) => t.id),
    ).toEqual(['a', 'c']);
    expect(countTodos(applyChange(todos, { kind: 'toggleAll', completed: true })).active).toBe(0);
    expect(countTodos(applyChange(todos, { kind: 'toggleAll', completed: false })).completed).toBe(
      0,
    );
    expect(applyChange(todos, { kind: 'clearCompleted' }).map((t) => t.id)).toEqual(['a', 'c']);
  });
});
