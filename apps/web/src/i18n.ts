// English and German texts. The language comes from the browser unless the user chose one;
// the choice is remembered.
import type { Task } from './todo-model.ts';

export const LANGUAGES = ['en', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface Messages {
  readonly title: string;
  readonly description: string;
  readonly newTodo: string;
  readonly editTodo: string;
  readonly toggleTodo: string;
  readonly toggleAll: string;
  readonly destroy: (title: string) => string;
  /** The counter: the number goes into <strong>, the words after it. */
  readonly itemsLeft: (count: number) => string;
  readonly filtersLabel: string;
  readonly filterAll: string;
  readonly filterActive: string;
  readonly filterCompleted: string;
  readonly clearCompleted: string;
  readonly infoEdit: string;
  readonly infoKeyboard: string;
  readonly partOf: string;
  readonly settings: string;
  readonly language: string;
  readonly theme: string;
  readonly themeSystem: string;
  readonly themeLight: string;
  readonly themeDark: string;
  readonly loading: string;
  readonly notSaved: string;
  readonly notFound: string;
  readonly newList: string;
  readonly noAnswer: string;
  readonly retry: string;
  readonly dismiss: string;
  readonly task: (task: Task) => string;
}

const en: Messages = {
  title: 'todos',
  description: 'A todo list you can share by its link: add, complete, edit and filter todos.',
  newTodo: 'What needs to be done?',
  editTodo: 'Edit todo',
  toggleTodo: 'Done',
  toggleAll: 'Mark all as complete',
  destroy: (title) => `Delete “${title}”`,
  itemsLeft: (count) => (count === 1 ? ' item left' : ' items left'),
  filtersLabel: 'Show',
  filterAll: 'All',
  filterActive: 'Active',
  filterCompleted: 'Completed',
  clearCompleted: 'Clear completed',
  infoEdit: 'Double-click to edit a todo',
  infoKeyboard: 'Keyboard: Enter on a todo edits it, Delete removes it',
  partOf: 'Part of',
  settings: 'Settings',
  language: 'Language',
  theme: 'Theme',
  themeSystem: 'System',
  themeLight: 'Light',
  themeDark: 'Dark',
  loading: 'Loading…',
  notSaved: 'Not saved:',
  notFound: 'This list does not exist (or was deleted).',
  newList: 'Open my list',
  noAnswer: 'the server did not answer',
  retry: 'Retry',
  dismiss: 'Dismiss',
  task: (task) => {
    switch (task.kind) {
      case 'open':
        return 'opening the list';
      case 'load':
      case 'refresh':
        return 'loading the todos';
      case 'add':
        return `adding “${task.title}”`;
      case 'toggle':
        return `marking “${task.title}” as ${task.completed ? 'completed' : 'active'}`;
      case 'rename':
        return `renaming “${task.from}” to “${task.title}”`;
      case 'destroy':
        return `deleting “${task.title}”`;
      case 'toggleAll':
        return `marking all as ${task.completed ? 'completed' : 'active'}`;
      case 'clearCompleted':
        return 'clearing completed todos';
    }
  },
};

const de: Messages = {
  title: 'todos',
  description:
    'Eine Aufgabenliste, die sich über ihren Link teilen lässt: Aufgaben erfassen, erledigen, bearbeiten und filtern.',
  newTodo: 'Was ist zu tun?',
  editTodo: 'Aufgabe bearbeiten',
  toggleTodo: 'Erledigt',
  toggleAll: 'Alle als erledigt markieren',
  destroy: (title) => `„${title}“ löschen`,
  itemsLeft: (count) => (count === 1 ? ' Aufgabe offen' : ' Aufgaben offen'),
  filtersLabel: 'Anzeigen',
  filterAll: 'Alle',
  filterActive: 'Offen',
  filterCompleted: 'Erledigt',
  clearCompleted: 'Erledigte entfernen',
  infoEdit: 'Doppelklick bearbeitet eine Aufgabe',
  infoKeyboard: 'Tastatur: Enter auf einer Aufgabe bearbeitet sie, Entf löscht sie',
  partOf: 'Teil von',
  settings: 'Einstellungen',
  language: 'Sprache',
  theme: 'Darstellung',
  themeSystem: 'System',
  themeLight: 'Hell',
  themeDark: 'Dunkel',
  loading: 'Wird geladen…',
  notSaved: 'Nicht gespeichert:',
  notFound: 'Diese Liste gibt es nicht (mehr).',
  newList: 'Meine Liste öffnen',
  noAnswer: 'der Server hat nicht geantwortet',
  retry: 'Erneut versuchen',
  dismiss: 'Verwerfen',
  task: (task) => {
    switch (task.kind) {
      case 'open':
        return 'Liste öffnen';
      case 'load':
      case 'refresh':
        return 'Aufgaben laden';
      case 'add':
        return `„${task.title}“ hinzufügen`;
      case 'toggle':
        return `„${task.title}“ als ${task.completed ? 'erledigt' : 'offen'} markieren`;
      case 'rename':
        return `„${task.from}“ in „${task.title}“ umbenennen`;
      case 'destroy':
        return `„${task.title}“ löschen`;
      case 'toggleAll':
        return `alle als ${task.completed ? 'erledigt' : 'offen'} markieren`;
      case 'clearCompleted':
        return 'erledigte Aufgaben entfernen';
    }
  },
};

export const MESSAGES: Readonly<Record<Language, Messages>> = { en, de };

/** The first of the browser's languages that we speak; English otherwise. */
export function detectLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    const match = LANGUAGES.find((l) => l === base);
    if (match) return match;
  }
  return 'en';
}
