import type { Messages } from '../i18n.ts';
import type { Counts, Filter } from '../todo-state.ts';

export interface FooterProps {
  readonly t: Messages;
  readonly counts: Counts;
  readonly filter: Filter;
  readonly onClearCompleted: () => void;
}

const LINKS: readonly { filter: Filter; href: string; text: (t: Messages) => string }[] = [
  { filter: 'all', href: '#/', text: (t) => t.filterAll },
  { filter: 'active', href: '#/active', text: (t) => t.filterActive },
  { filter: 'completed', href: '#/completed', text: (t) => t.filterCompleted },
];

/** The counter, the filters and "Clear completed" (only when something is completed). */
export function Footer({ t, counts, filter, onClearCompleted }: FooterProps) {
  return (
    <footer class="footer">
      <span class="todo-count" role="status">
        <strong>{counts.active}</strong>
        {t.itemsLeft(counts.active)}
      </span>
      <ul class="filters" aria-label={t.filtersLabel}>
        {LINKS.map((link) => (
          <li key={link.filter}>
            <a
              class={link.filter === filter ? 'selected' : undefined}
              aria-current={link.filter === filter ? 'page' : undefined}
              href={link.href}
            >
              {link.text(t)}
            </a>
          </li>
        ))}
      </ul>
      {counts.completed > 0 && (
        <button class="clear-completed" onClick={onClearCompleted}>
          {t.clearCompleted}
        </button>
      )}
    </footer>
  );
}
