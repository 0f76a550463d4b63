// Which lists this browser knows, and which one the page shows. A list's link is
// /lists/{listId} (the filter stays in the hash). The browser remembers every list it
// created or opened, newest first; `/` opens the newest list it created (a shared link
// never replaces it), else the newest it opened, else a new list that exists on the server
// once its first todo is added. `/?new` starts a new list.

export const LISTS_KEY = 'cloud-todo.lists';
/** Where an earlier version remembered its one list. */
const OLD_KEY = 'cloud-todo.listId';
const LIST_PATH = /^\/lists\/([A-Za-z0-9_-]{1,200})\/?$/;

export interface KnownList {
  readonly id: string;
  readonly title: string;
  /** Created in this browser. */
  readonly own?: boolean;
}

/** The list id in a path such as `/lists/abc`, if any. */
export function listIdFromPath(pathname: string): string | undefined {
  return LIST_PATH.exec(pathname)?.[1];
}

export function listPath(listId: string): string {
  return `/lists/${listId}`;
}

/** localStorage, or nothing where it is unavailable (private modes, blocked storage). */
export function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

export function knownLists(): KnownList[] {
  try {
    const text = storage()?.getItem(LISTS_KEY);
    if (text)
      return (JSON.parse(text) as KnownList[]).filter((l) => listIdFromPath(listPath(l.id)));
    const old = storage()?.getItem(OLD_KEY);
    return old ? [{ id: old, title: '', own: true }] : [];
  } catch {
    return [];
  }
}

function store(lists: readonly KnownList[]): void {
  try {
    storage()?.setItem(LISTS_KEY, JSON.stringify(lists.slice(0, 50)));
  } catch {
    // Not remembered: the address still holds the list's link.
  }
}

/** Puts the list first (it keeps being "own" once it was). */
export function rememberList(list: KnownList): KnownList[] {
  const lists = knownLists();
  const own = list.own ?? lists.find((l) => l.id === list.id)?.own;
  const next = [{ ...list, ...(own ? { own } : {}) }, ...lists.filter((l) => l.id !== list.id)];
  store(next);
  return next;
}

export function forgetList(listId: string): KnownList[] {
  const next = knownLists().filter((l) => l.id !== listId);
  store(next);
  return next;
}

/** The list the address names, else the newest own list, else the newest known one. */
export function startingListId(location: Location): string | undefined {
  const fromPath = listIdFromPath(location.pathname);
  if (fromPath !== undefined || location.search === '?new') return fromPath;
  const lists = knownLists();
  return (lists.find((l) => l.own) ?? lists[0])?.id;
}
