import type { Messages } from '../i18n.ts';
import type { Todo } from '../todo-state.ts';
import { TodoItem, type TodoItemProps } from './todo-item.tsx';

export interface MainSectionProps extends Omit<TodoItemProps, 'todo' | 'editing' | 'unsaved'> {
  readonly t: Messages;
  readonly todos: readonly Todo[];
  readonly allCompleted: boolean;
  readonly editingId: string | null;
  readonly unsavedIds: ReadonlySet<string>;
  readonly onToggleAll: (completed: boolean) => void;
}

/** "Mark all as complete" and the (filtered) list. */
export function MainSection({
  t,
  todos,
  allCompleted,
  editingId,
  unsavedIds,
  onToggleAll,
  ...item
}: MainSectionProps) {
  return (
    <section class="main">
      <input
        id="toggle-all"
        class="toggle-all"
        type="checkbox"
        checked={allCompleted}
        aria-label={t.toggleAll}
        onChange={(event) => onToggleAll(event.currentTarget.checked)}
      />
      <label for="toggle-all">{t.toggleAll}</label>
      <ul class="todo-list">
        {todos.map((todo) => (
          <TodoItem
            key={todo.id}
            t={t}
            todo={todo}
            editing={todo.id === editingId}
            unsaved={unsavedIds.has(todo.id)}
            {...item}
          />
        ))}
      </ul>
      {todos.length === 0 && <p class="nothing">{t.nothing}</p>}
    </section>
  );
}
