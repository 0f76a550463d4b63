// Every change to a list, told to every open event stream of that list on this instance.
// Where the changes come from is the transport's business: the same process (PGlite, or a
// single instance), or every instance through PostgreSQL LISTEN/NOTIFY (postgres-channel.ts).

/** What a stream is told. `resync`: changes may have been missed; read the list again. */
export type ChangeEvent =
  | {
      readonly type: 'change';
      readonly id: string;
      readonly listId: string;
      /** The `X-Client-Id` of the writer, so that a client can skip its own changes. */
      readonly origin?: string;
    }
  | { readonly type: 'resync'; readonly id: string };

export type ChangeListener = (event: ChangeEvent) => void;

export interface ChangeFeed {
  /** Tells every instance that `listId` changed; never throws (a lost notice costs a refetch). */
  publish(listId: string, origin?: string): Promise<void>;
  /** Calls `listener` for each change of `listId` (and each resync); returns the unsubscribe. */
  subscribe(listId: string, listener: ChangeListener): () => void;
  /** Open streams on this instance, for /metrics and tests. */
  subscribers(): number;
  close(): Promise<void>;
}

let counter = 0;

/** An event id: unique per instance and increasing, so `Last-Event-ID` names a point. */
export function newEventId(): string {
  counter += 1;
  return `${Date.now().toString(36)}-${counter.toString(36)}`;
}

/** The subscribers of this instance, by list. */
export class ChangeHub {
  readonly #byList = new Map<string, Set<ChangeListener>>();
  #count = 0;

  subscribe(listId: string, listener: ChangeListener): () => void {
    let set = this.#byList.get(listId);
    if (!set) {
      set = new Set();
      this.#byList.set(listId, set);
    }
    set.add(listener);
    this.#count += 1;
    return () => {
      if (!set.delete(listener)) return;
      this.#count -= 1;
      if (set.size === 0) this.#byList.delete(listId);
    };
  }

  emit(listId: string, id: string, origin: string | undefined): void {
    const event: ChangeEvent = { type: 'change', id, listId, ...(origin ? { origin } : {}) };
    for (const listener of this.#byList.get(listId) ?? []) listener(event);
  }

  /** Tells every stream to read its list again (the cross-instance channel had a gap). */
  resyncAll(): void {
    const event: ChangeEvent = { type: 'resync', id: newEventId() };
    for (const set of this.#byList.values()) for (const listener of set) listener(event);
  }

  get size(): number {
    return this.#count;
  }
}

/** One process: PGlite (one owner per data folder), or a PostgreSQL instance on its own. */
export function inProcessChangeFeed(): ChangeFeed {
  const hub = new ChangeHub();
  return {
    publish(listId, origin) {
      hub.emit(listId, newEventId(), origin);
      return Promise.resolve();
    },
    subscribe: (listId, listener) => hub.subscribe(listId, listener),
    subscribers: () => hub.size,
    close: () => Promise.resolve(),
  };
}
