// English and German texts. The language comes from the browser unless the user chose one;
// the choice is remembered.
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
  readonly notFound: string;
  readonly startNew: string;
  readonly openMine: string;
  readonly dismiss: string;
  readonly offline: string;
  readonly unsaved: (count: number) => string;
  readonly unsavedItem: string;
  readonly retryNow: string;
  readonly gone: (title: string) => string;
  readonly refused: (title: string) => string;
  readonly editedGone: string;
  readonly editedChanged: (title: string) => string;
  readonly editedToggled: (completed: boolean) => string;
  readonly deleted: (title: string) => string;
  readonly cleared: string;
  readonly undo: string;
  readonly ok: string;
  readonly nothing: string;
  readonly myLists: string;
  readonly newList: string;
  readonly forget: string;
  readonly untitled: string;
  readonly listName: string;
  readonly copyLink: string;
  readonly copied: string;
  readonly shareNote: string;
  readonly unsharedNote: string;
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
  notFound: 'This list does not exist (or was deleted).',
  startNew: 'Start a new list with what you typed',
  openMine: 'Open my list',
  dismiss: 'Dismiss',
  offline: 'The server cannot be reached. Your changes are kept and sent when it is back.',
  unsaved: (n) => (n === 1 ? '1 change not saved yet.' : `${n} changes not saved yet.`),
  unsavedItem: 'not saved yet',
  retryNow: 'Try again now',
  gone: (title) => `“${title}” was deleted by someone else, so your change to it was not saved.`,
  refused: (title) => `A change${title ? ` to “${title}”` : ''} could not be saved.`,
  editedGone: 'The todo you were editing was deleted by someone else.',
  editedChanged: (title) => `Someone else changed the todo you are editing to “${title}”.`,
  editedToggled: (completed) =>
    `Someone else marked the todo you are editing as ${completed ? 'completed' : 'active'}.`,
  deleted: (title) => `Deleted “${title}”.`,
  cleared: 'Completed todos cleared.',
  undo: 'Undo',
  ok: 'OK',
  nothing: 'Nothing to show here.',
  myLists: 'My lists',
  newList: 'New list',
  forget: 'Forget this list',
  untitled: 'Untitled list',
  listName: 'List name',
  copyLink: 'Copy link',
  copied: 'Link copied.',
  shareNote: 'This page’s address is the list: anyone with the link can view and edit it.',
  unsharedNote: 'The list gets its link with its first todo.',
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
  notFound: 'Diese Liste gibt es nicht (mehr).',
  startNew: 'Neue Liste mit dem Eingetippten beginnen',
  openMine: 'Meine Liste öffnen',
  dismiss: 'Ausblenden',
  offline:
    'Der Server ist nicht erreichbar. Die Änderungen bleiben erhalten und werden gesendet, sobald er zurück ist.',
  unsaved: (n) =>
    n === 1 ? '1 Änderung noch nicht gespeichert.' : `${n} Änderungen noch nicht gespeichert.`,
  unsavedItem: 'noch nicht gespeichert',
  retryNow: 'Jetzt erneut versuchen',
  gone: (title) =>
    `„${title}“ wurde von jemand anderem gelöscht; die Änderung daran wurde nicht gespeichert.`,
  refused: (title) =>
    `Eine Änderung${title ? ` an „${title}“` : ''} konnte nicht gespeichert werden.`,
  editedGone: 'Die Aufgabe in Bearbeitung wurde von jemand anderem gelöscht.',
  editedChanged: (title) => `Jemand anderes hat die Aufgabe in Bearbeitung in „${title}“ geändert.`,
  editedToggled: (completed) =>
    `Jemand anderes hat die Aufgabe in Bearbeitung als ${completed ? 'erledigt' : 'offen'} markiert.`,
  deleted: (title) => `„${title}“ gelöscht.`,
  cleared: 'Erledigte Aufgaben entfernt.',
  undo: 'Rückgängig',
  ok: 'OK',
  nothing: 'Hier gibt es nichts anzuzeigen.',
  myLists: 'Meine Listen',
  newList: 'Neue Liste',
  forget: 'Diese Liste vergessen',
  untitled: 'Liste ohne Namen',
  listName: 'Name der Liste',
  copyLink: 'Link kopieren',
  copied: 'Link kopiert.',
  shareNote:
    'Die Adresse dieser Seite ist die Liste: Wer den Link hat, kann sie ansehen und bearbeiten.',
  unsharedNote: 'Die Liste bekommt ihren Link mit der ersten Aufgabe.',
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
