import { useEffect, useRef, useState } from 'preact/hooks';
import { MESSAGES, type Language } from '../i18n.ts';
import { forgetList, rememberList, storage, type KnownList } from '../list-location.ts';
import { followList } from '../live-updates.ts';
import { applyLanguage, applyTheme, type Theme } from '../preferences.ts';
import { OUTBOX_KEY, type TodoModel } from '../todo-model.ts';
import { countTodos, filterFromHash, visibleTodos } from '../todo-state.ts';
import { Alerts } from './alerts.tsx';
import { Footer } from './footer.tsx';
import { Header } from './header.tsx';
import { Info } from './info.tsx';
import { ListsBar } from './lists-bar.tsx';
import { MainSection } from './main-section.tsx';

export interface AppProps {
  readonly model: TodoModel;
  readonly lists: readonly KnownList[];
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

const on = (target: EventTarget, type: string, listener: (event: Event) => void) => {
  target.addEventListener(type, listener);
  return () => target.removeEventListener(type, listener);
};

export function App({ model, lists: initialLists, initialLanguage, initialTheme }: AppProps) {
  const state = useModelState(model);
  const filter = useHashFilter();
  const [editingId, setEditingId] = useState<string | null>(null);
  const [editNotice, setEditNotice] = useState('');
  /** The edited todo as the edit found it (or as last announced). */
  const editStart = useRef({ title: '', completed: false });
  const [lists, setLists] = useState(initialLists);
  const [language, setLanguage] = useState(initialLanguage);
  const [theme, setTheme] = useState(initialTheme);
  const newTodoRef = useRef<HTMLInputElement | null>(null);
  /** Where the focus goes when a bar that has it goes away: a todo's toggle, else the input. */
  const focusAfterBar = useRef<string | undefined>(undefined);
  const t = MESSAGES[language];
  const { listId, loaded, title } = state;

  useEffect(() => {
    const offs = [
      // Another browser may have changed the list while this tab was in the background.
      on(document, 'visibilitychange', () => {
        if (document.visibilityState === 'visible') model.refresh();
      }),
      on(window, 'online', () => model.retryNow()),
      // The outbox is kept in localStorage; a held deletion joins it before the page goes.
      on(window, 'pagehide', () => model.commit()),
      on(window, 'beforeunload', (event) => {
        if (model.state.pending > 0) event.preventDefault();
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [model]);

  useEffect(() => {
    if (listId === undefined || !loaded || state.deadLink) return undefined;
    return followList(
      listId,
      () => model.refresh(),
      () => {
        model.retryNow();
        model.refresh();
      },
    );
  }, [model, listId, loaded, state.deadLink]);

  useEffect(() => {
    document.title = `${title || t.title} · cloud-todo`;
    if (listId === undefined || !loaded) return;
    // A list that no longer exists (its database was reset) is not offered again.
    setLists(state.deadLink ? forgetList(listId) : rememberList({ id: listId, title }));
  }, [listId, loaded, title, state.deadLink, t]);

  const counts = countTodos(state.todos);
  const visible = visibleTodos(state.todos, filter);
  // The todo being edited stays in view (and its typing with it) when a change elsewhere
  // moves it out of the filter; it leaves once the edit ends.
  const shown =
    editingId === null
      ? visible
      : state.todos.filter((todo) => todo.id === editingId || visible.includes(todo));
  const editedTodo = state.todos.find((todo) => todo.id === editingId);

  useEffect(() => {
    // The todo being edited was changed or deleted elsewhere: the edit goes on, and says so.
    if (editingId === null) return;
    if (!editedTodo) {
      setEditNotice(t.editedGone);
      setEditingId(null);
      return;
    }
    const said = [
      editedTodo.title !== editStart.current.title && t.editedChanged(editedTodo.title),
      editedTodo.completed !== editStart.current.completed && t.editedToggled(editedTodo.completed),
    ].filter(Boolean);
    if (said.length === 0) return;
    setEditNotice(said.join(' '));
    editStart.current = { title: editedTodo.title, completed: editedTodo.completed };
  }, [editingId, editedTodo?.title, editedTodo?.completed, t]);

  const editing = editedTodo ? editingId : null;

  const focusToggle = (id: string | undefined) => {
    requestAnimationFrame(() => {
      const toggle = id
        ? document.querySelector<HTMLInputElement>(
            `.todo-list .toggle[data-todo-id="${CSS.escape(id)}"]`,
          )
        : null;
      (toggle ?? newTodoRef.current)?.focus();
    });
  };
  /** Focus after an item goes away: the next item, else the previous, else the input. */
  const focusAfterRemoving = (id: string) => {
    const index = shown.findIndex((todo) => todo.id === id);
    focusToggle((shown[index + 1] ?? shown[index - 1])?.id);
  };

  return (
    <>
      <main>
        <section class="todoapp" aria-busy={state.busy ? 'true' : 'false'}>
          <Header t={t} title={title} inputRef={newTodoRef} onAdd={(text) => model.addTodo(text)} />
          {!loaded && (
            <p class="loading" role="status">
              {t.loading}
            </p>
          )}
          {counts.total > 0 && (
            <MainSection
              t={t}
              todos={shown}
              allCompleted={counts.active === 0}
              editingId={editing}
              unsavedIds={state.unsavedIds}
              onToggleAll={(completed) => model.toggleAll(completed)}
              onToggle={(id) => model.toggle(id)}
              onDestroy={(id) => {
                if (document.activeElement?.closest('.todo-list')) focusAfterRemoving(id);
                model.destroy(id);
              }}
              onEdit={(id) => {
                const todo = state.todos.find((item) => item.id === id);
                editStart.current = {
                  title: todo?.title ?? '',
                  completed: todo?.completed ?? false,
                };
                setEditNotice('');
                setEditingId(id);
              }}
              onEditEnd={(id, text, refocus) => {
                setEditingId(null);
                const removed = text !== null && text.trim() === '';
                if (text !== null) model.save(id, text);
                if (removed) focusAfterRemoving(id);
                else if (refocus) focusToggle(id);
              }}
            />
          )}
          {counts.total > 0 && (
            <Footer
              t={t}
              counts={counts}
              filter={filter}
              onClearCompleted={() => {
                model.clearCompleted();
                newTodoRef.current?.focus();
              }}
            />
          )}
        </section>
        <Alerts
          t={t}
          state={state}
          editNotice={editNotice}
          onRetry={() => model.retryNow()}
          onDismiss={() => {
            model.dismissNotices();
            setEditNotice('');
            newTodoRef.current?.focus();
          }}
          onStartNew={() => {
            model.startNewList();
            newTodoRef.current?.focus();
          }}
          onUndo={() => {
            // The bar has the focus (keyboard or click): on to the todo that came back.
            if (state.undo?.kind === 'destroy' && document.activeElement?.closest('.alert.undo'))
              focusAfterBar.current = state.undo.id;
            model.undo();
          }}
          onCommit={() => model.commit()}
          onFocusLost={() => {
            focusToggle(focusAfterBar.current);
            focusAfterBar.current = undefined;
          }}
        />
        <ListsBar
          t={t}
          listId={listId}
          title={title}
          lists={lists}
          onRename={(text) => model.rename(text)}
          onForget={() => {
            if (listId === undefined) return;
            forgetList(listId);
            // With the changes to it that were never saved: the user let it go.
            storage()?.removeItem(OUTBOX_KEY + listId);
            location.assign('/');
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
