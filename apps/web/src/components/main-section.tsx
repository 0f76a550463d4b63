import type { Messages } from '../i18n.ts';
import type { Todo } from '../todo-state.ts';
import { TodoItem, type TodoItemProps } from './todo-item.tsx';

export interface MainSectionProps extends Omit<TodoItemProps, 'todo' | 'editing'> {
  readonly t: Messages;
  readonly todos: readonly Todo[];
  readonly allCompleted: boolean;
  readonly editingId: string | null;
  readonly onToggleAll: (completed: boolean) => void;
}

/** "Mark all as complete" and the (filtered) list. */
export function MainSection({
  t,
  todos,
  allCompleted,
  editingId,
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
        onChange={(event) => onToggleAll(event.currentTarget.checked)}
      />
      <label for="toggle-all">{t.toggleAll}</label>
      <ul class="todo-list">
        {todos.map((todo) => (
          <TodoItem key={todo.id} t={t} todo={todo} editing={todo.id === editingId} {...item} />
        ))}
      </ul>
    </section>
  );
}
