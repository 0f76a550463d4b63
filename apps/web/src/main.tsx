import 'todomvc-app-css/index.css';
import './app.css';
import { render } from 'preact';
import { ApiClient } from './api-client.ts';
import { App } from './components/app.tsx';
import { BrowserListOpener } from './list-location.ts';
import { applyLanguage, applyTheme, initialLanguage, initialTheme } from './preferences.ts';
import { TodoModel } from './todo-model.ts';

const language = initialLanguage();
const theme = initialTheme();
applyLanguage(language, false);
applyTheme(theme, false);

const api = new ApiClient();
const model = new TodoModel(api, new BrowserListOpener(api));
render(<App model={model} initialLanguage={language} initialTheme={theme} />, document.body);
model.start();
