import { useEffect, useRef, useState } from 'preact/hooks';
import type { Messages } from '../i18n.ts';
import { listPath, type KnownList } from '../list-location.ts';

export interface ListsBarProps {
  readonly t: Messages;
  readonly listId: string | undefined;
  readonly title: string;
  readonly lists: readonly KnownList[];
  readonly onRename: (title: string) => void;
  readonly onForget: () => void;
}

/**
 * Sharing made visible (the list's name, its link to copy or share, and what the link
 * gives), and the lists this browser knows, each one click away.
 */
export function ListsBar({ t, listId, title, lists, onRename, onForget }: ListsBarProps) {
  const [copied, setCopied] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // Another browser renamed the list: show it, unless the user is typing a name.
    const el = input.current;
    if (el && document.activeElement !== el) el.value = title;
  }, [title]);
  const share = async () => {
    const url = location.origin + location.pathname;
    try {
      if (navigator.share && matchMedia('(pointer: coarse)').matches)
        await navigator.share({ url });
      // Plain HTTP on a public address (the course's load balancer) has no Clipboard API.
      else if (navigator.clipboard) await navigator.clipboard.writeText(url);
      else if (!copyBySelection(url)) throw new Error('no clipboard');
      setCopied(true);
    } catch {
      // Cancelled, or no clipboard: the address bar still holds the link.
    }
  };
  return (
    <section class="lists" aria-label={t.myLists}>
      <p class="share">
        <label>
          {t.listName}{' '}
          <input
            class="list-title"
            ref={input}
            defaultValue={title}
            maxLength={200}
            autocomplete="off"
            onChange={(event) => onRename(event.currentTarget.value)}
          />
        </label>{' '}
        {listId && (
          <button class="copy-link" onClick={() => void share()}>
            {t.copyLink}
          </button>
        )}{' '}
        <span role="status">{copied ? t.copied : ''}</span>
      </p>
      <p>{listId ? t.shareNote : t.unsharedNote}</p>
      <nav aria-label={t.myLists}>
        <ul>
          {lists.map((list) => (
            <li key={list.id}>
              <a href={listPath(list.id)} aria-current={list.id === listId ? 'page' : undefined}>
                {list.title || t.untitled}
              </a>
            </li>
          ))}
          <li>
            <a href="/?new">{t.newList}</a>
          </li>
        </ul>
      </nav>
      {listId && (
        <button class="forget" onClick={onForget}>
          {t.forget}
        </button>
      )}
    </section>
  );
}

/** The clipboard of an insecure page: copy a selected, off-screen text (a user gesture). */
function copyBySelection(text: string): boolean {
  const field = document.createElement('textarea');
  field.value = text;
  field.setAttribute('readonly', '');
  field.style.position = 'fixed';
  field.style.opacity = '0';
  const focused = document.activeElement;
  document.body.append(field);
  field.select();
  try {
    return document.execCommand('copy');
  } finally {
    field.remove();
    // Selecting moved the focus into the field: back to where it was (the button).
    if (focused instanceof HTMLElement) focused.focus();
  }
}
