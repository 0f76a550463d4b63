import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Messages } from '../i18n.ts';
import type { Todo } from '../todo-state.ts';

const ENTER_KEY = 'Enter';
const ESCAPE_KEY = 'Escape';
const DELETE_KEY = 'Delete';

export interface TodoItemProps {
  readonly t: Messages;
  readonly todo: Todo;
  readonly editing: boolean;
  /** A change to it waits for the server. */
  readonly unsaved: boolean;
  readonly onToggle: (id: string) => void;
  readonly onDestroy: (id: string) => void;
  readonly onEdit: (id: string) => void;
  /** Ends editing: `title` is saved (null discards), `refocus` returns focus to the item. */
  readonly onEditEnd: (id: string, title: string | null, refocus: boolean) => void;
}

/**
 * One todo, in the TodoMVC markup. For keyboard users, Enter on its checkbox starts editing
 * and Delete removes it; its delete button shows on focus as on hover.
 */
export function TodoItem({
  t,
  todo,
  editing,
  unsaved,
  onToggle,
  onDestroy,
  onEdit,
  onEditEnd,
}: TodoItemProps) {
  const editRef = useRef<HTMLInputElement>(null);
  // Enter and Escape end the edit; the blur that follows must not save it a second time.
  const ended = useRef(false);
  const labelId = `todo-${todo.id}`;

  // Before the browser paints: the edit field never shows (or takes typing) without its title.
  useLayoutEffect(() => {
    const input = editRef.current;
    if (!editing || !input) return;
    ended.current = false;
    input.value = todo.title;
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
    // Only when editing starts: a title that changes meanwhile must not reset the input.
  }, [editing]);

  const end = (title: string | null, refocus: boolean) => {
    if (ended.current) return;
    ended.current = true;
    onEditEnd(todo.id, title, refocus);
  };

  return (
    <li
      class={
        [todo.completed && 'completed', editing && 'editing'].filter(Boolean).join(' ') || undefined
      }
    >
      <div class="view">
        <input
          class="toggle"
          type="checkbox"
          checked={todo.completed}
          aria-labelledby={labelId}
          data-todo-id={todo.id}
          onChange={() => onToggle(todo.id)}
          onKeyDown={(event) => {
            if (event.key === ENTER_KEY) {
              event.preventDefault();
              onEdit(todo.id);
            } else if (event.key === DELETE_KEY) {
              event.preventDefault();
              onDestroy(todo.id);
            }
          }}
        />
        <label id={labelId} onDblClick={() => onEdit(todo.id)}>
          {todo.title}
        </label>
        {unsaved && <span class="unsaved">{t.unsavedItem}</span>}
        <button
          class="destroy"
          aria-label={t.destroy(todo.title)}
          onClick={() => onDestroy(todo.id)}
        />
      </div>
      <input
        ref={editRef}
        class="edit"
        aria-label={t.editTodo}
        maxLength={1000}
        defaultValue={todo.title}
        onKeyDown={(event) => {
          if (event.key === ENTER_KEY && !event.isComposing) end(event.currentTarget.value, true);
          else if (event.key === ESCAPE_KEY) {
            event.currentTarget.value = todo.title;
            end(null, true);
          }
        }}
        onBlur={(event) => {
          if (editing) end(event.currentTarget.value, false);
        }}
      />
    </li>
  );
}
