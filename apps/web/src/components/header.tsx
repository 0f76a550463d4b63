import { useEffect, useRef } from 'preact/hooks';
import type { Messages } from '../i18n.ts';

const ENTER_KEY = 'Enter';

export interface HeaderProps {
  readonly t: Messages;
  /** The list's title; TodoMVC's "todos" when it has none. */
  readonly title: string;
  /** Returns false for a blank title, which leaves the input as it is. */
  readonly onAdd: (title: string) => boolean;
  readonly inputRef: { current: HTMLInputElement | null };
}

/** The title and the new-todo input, focused on load; Enter adds and clears at once. */
export function Header({ t, title, onAdd, inputRef }: HeaderProps) {
  const ownRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    inputRef.current = ownRef.current;
  }, [inputRef]);

  return (
    <header class="header">
      <h1 class={title.length > 12 ? 'long' : undefined}>{title || t.title}</h1>
      <input
        ref={ownRef}
        class="new-todo"
        placeholder={t.newTodo}
        aria-label={t.newTodo}
        autofocus
        maxLength={1000}
        autocomplete="off"
        onKeyDown={(event) => {
          if (event.key !== ENTER_KEY || event.isComposing) return;
          const input = event.currentTarget;
          if (onAdd(input.value)) input.value = '';
        }}
      />
    </header>
  );
}
