import { useEffect, useRef, useState } from 'preact/hooks';
import { MESSAGES, type Language } from '../i18n.ts';
import { applyLanguage, applyTheme, type Theme } from '../preferences.ts';
import type { TodoModel } from '../todo-model.ts';
import { countTodos, filterFromHash, visibleTodos } from '../todo-state.ts';
import { Alerts } from './alerts.tsx';
import { Footer } from './footer.tsx';
import { Header } from './header.tsx';
import { Info } from './info.tsx';
import { MainSection } from './main-section.tsx';

export interface AppProps {
  readonly model: TodoModel;
  readonly initialLanguage: Language;
  readonly initialTheme: Theme;
}

function useModelState(model: TodoModel) {
  const [state, setState] = useState(model.state);
  useEffect(() => {
    setState(model.state);
    return model.subscribe(() => setState(model.state));
  }, [model]);
  return state;
}

function useHashFilter() {
  const [filter, setFilter] = useState(() => filterFromHash(window.location.hash));
  useEffect(() => {
    const onHashChange = () => setFilter(filterFromHash(window.location.hash));
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);
  return filter;
}

export function App({ model, initialLanguage, initialTheme }: AppProps) {
  const state = useModelState(model);
  const filter = useHashFilter();
  const [editingId, setEditingId] = useState<string | null>(null);
  const [language, setLanguage] = useState(initialLanguage);
  const [theme, setTheme] = useState(initialTheme);
  const newTodoRef = useRef<HTMLInputElement | null>(null);
  const t = MESSAGES[language];

  useEffect(() => {
    // Another browser may have changed the list while this tab was in the background.
    const onVisible = () => {
      if (document.visibilityState === 'visible') model.refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [model]);

  const counts = countTodos(state.todos);
  const shown = visibleTodos(state.todos, filter);
  const editing =
    editingId !== null && shown.some((todo) => todo.id === editingId) ? editingId : null;

  /** Focus after an item goes away: the next item, else the previous, else the input. */
  const focusAfterRemoving = (id: string) => {
    const index = shown.findIndex((todo) => todo.id === id);
    const next = shown[index + 1] ?? shown[index - 1];
    requestAnimationFrame(() => {
      const toggle = next
        ? document.querySelector<HTMLInputElement>(
            `.todo-list .toggle[data-todo-id="${CSS.escape(next.id)}"]`,
          )
        : null;
      (toggle ?? newTodoRef.current)?.focus();
    });
  };
  const focusItem = (id: string) => {
    requestAnimationFrame(() => {
      document
        .querySelector<HTMLInputElement>(`.todo-list .toggle[data-todo-id="${CSS.escape(id)}"]`)
        ?.focus();
    });
  };

  return (
    <>
      <main>
        <section class="todoapp" aria-busy={state.busy ? 'true' : 'false'}>
          <Header t={t} inputRef={newTodoRef} onAdd={(title) => model.addTodo(title)} />
          {counts.total > 0 && (
            <MainSection
              t={t}
              todos={shown}
              allCompleted={counts.active === 0}
              editingId={editing}
              onToggleAll={(completed) => model.toggleAll(completed)}
              onToggle={(id) => model.toggle(id)}
              onDestroy={(id) => {
                const active = Boolean(document.activeElement?.closest('.todo-list'));
                if (active) focusAfterRemoving(id);
                model.destroy(id);
              }}
              onEdit={(id) => setEditingId(id)}
              onEditEnd={(id, title, refocus) => {
                setEditingId(null);
                const removed = title !== null && title.trim() === '';
                if (title !== null) model.save(id, title);
                if (removed) focusAfterRemoving(id);
                else if (refocus) focusItem(id);
              }}
            />
          )}
          {counts.total > 0 && (
            <Footer
              t={t}
              counts={counts}
              filter={filter}
              onClearCompleted={() => model.clearCompleted()}
            />
          )}
        </section>
        <Alerts
          t={t}
          failures={state.failures}
          onRetry={() => {
            model.retry();
            newTodoRef.current?.focus();
          }}
          onDismiss={() => {
            model.dismiss();
            newTodoRef.current?.focus();
          }}
        />
      </main>
      <Info
        t={t}
        language={language}
        theme={theme}
        onLanguage={(chosen) => {
          applyLanguage(chosen, true);
          setLanguage(chosen);
        }}
        onTheme={(chosen) => {
          applyTheme(chosen, true);
          setTheme(chosen);
        }}
      />
    </>
  );
}
