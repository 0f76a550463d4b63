import 'todomvc-app-css/index.css';
import './app.css';
import { render } from 'preact';
import { ApiClient } from './api-client.ts';
import { App } from './components/app.tsx';
import { knownLists, listPath, rememberList, startingListId, storage } from './list-location.ts';
import { applyLanguage, applyTheme, initialLanguage, initialTheme } from './preferences.ts';
import { TodoModel } from './todo-model.ts';

const language = initialLanguage();
const theme = initialTheme();
applyLanguage(language, false);
applyTheme(theme, false);

/** The address is the list's link, so that it can be copied and shared. */
const showLink = (listId: string) =>
  history.replaceState(history.state, '', listPath(listId) + location.hash);

const listId = startingListId(location);
if (listId !== undefined) showLink(listId);
const model = new TodoModel({
  api: new ApiClient(),
  listId,
  storage: storage(),
  onCreated: (id) => {
    showLink(id);
    rememberList({ id, title: '', own: true });
  },
});
render(
  <App model={model} lists={knownLists()} initialLanguage={language} initialTheme={theme} />,
  document.body,
);
