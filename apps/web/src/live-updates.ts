import { CLIENT_ID } from './api-client.ts';

// Other people's changes, as they happen: the API's server-sent events for the list. Any
// event (a change, or "resync" after a gap) makes the model read the list again; every
// (re)connection does too, since changes made while disconnected are not replayed, and it
// sends what waits in the outbox at once. EventSource reconnects by itself after a dropped
// stream; after a refused one (an instance draining: 503) it is reopened here.

/** Follows `listId` until the returned function is called. */
export function followList(listId: string, onChange: () => void, onOpen: () => void): () => void {
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const connect = () => {
    source = new EventSource(`/api/lists/${encodeURIComponent(listId)}/events`);
    source.onopen = onOpen;
    source.addEventListener('change', (event) => {
      // This page's own changes are known already.
      const { origin } = JSON.parse(String(event.data)) as { origin?: string };
      if (origin !== CLIENT_ID) onChange();
    });
    source.addEventListener('resync', onChange);
    source.onerror = () => {
      if (source?.readyState === EventSource.CLOSED) timer = setTimeout(connect, 2_000);
    };
  };
  connect();
  return () => {
    clearTimeout(timer);
    source?.close();
  };
}
