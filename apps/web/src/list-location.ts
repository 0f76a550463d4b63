// Which list the page shows. A list's link is /lists/{listId} (the filter stays in the
// hash); `/` opens the list this browser remembers, or creates a fresh one, and replaces
// the address with the list's link so that it can be copied and shared.
import { newIdempotencyKey, type ApiClient } from './api-client.ts';
import type { ListOpener } from './todo-model.ts';

export const STORAGE_KEY = 'cloud-todo.listId';
const LIST_PATH = /^\/lists\/([A-Za-z0-9_-]{1,200})\/?$/;

/** The list id in a path such as `/lists/abc`, if any. */
export function listIdFromPath(pathname: string): string | undefined {
  return LIST_PATH.exec(pathname)?.[1];
}

export function listPath(listId: string): string {
  return `/lists/${listId}`;
}

/** localStorage, or nothing where it is unavailable (private modes, blocked storage). */
function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

export function rememberedListId(): string | undefined {
  try {
    const id = storage()?.getItem(STORAGE_KEY) ?? undefined;
    return id && listIdFromPath(listPath(id)) ? id : undefined;
  } catch {
    return undefined;
  }
}

function remember(listId: string | undefined): void {
  try {
    if (listId === undefined) storage()?.removeItem(STORAGE_KEY);
    else storage()?.setItem(STORAGE_KEY, listId);
  } catch {
    // Not remembered: the address still holds the list's link.
  }
}

/** Opens the list named by the address, else the remembered one, else a new one. */
export class BrowserListOpener implements ListOpener {
  readonly #api: ApiClient;
  /** Kept across retries, so that a retried creation makes one list, not two. */
  #createKey = newIdempotencyKey();
  #fromAddress = false;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async open(): Promise<string> {
    const fromPath = listIdFromPath(window.location.pathname);
    let listId = fromPath ?? rememberedListId();
    this.#fromAddress = fromPath !== undefined;
    if (listId === undefined) {
      const list = await this.#api.createList(this.#createKey);
      listId = list.id;
      this.#createKey = newIdempotencyKey();
    }
    if (!fromPath) {
      history.replaceState(history.state, '', `${listPath(listId)}${window.location.hash}`);
    }
    return listId;
  }

  loaded(listId: string): void {
    // Remembered only once it proved to exist: a dead link does not replace a good list.
    remember(listId);
  }

  notFound(listId: string): boolean {
    // A shared link that leads nowhere is an error to show; a remembered list that is gone
    // (its database was reset) is replaced by a fresh one.
    if (this.#fromAddress) return false;
    if (rememberedListId() === listId) remember(undefined);
    history.replaceState(history.state, '', `/${window.location.hash}`);
    return true;
  }
}
