// Reads a server-sent event stream over real HTTP, as EventSource would.

export interface StreamEvent {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

export interface EventStream {
  readonly status: number;
  readonly headers: Headers;
  /** Every event so far, comments (heartbeats) as event `comment`. */
  readonly events: StreamEvent[];
  /** Resolves with the first event (after those already read) that `match` accepts. */
  next(match: (event: StreamEvent) => boolean, timeoutMs?: number): Promise<StreamEvent>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

export async function openEventStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const events: StreamEvent[] = [];
  const waiters = new Set<() => void>();
  const push = (event: StreamEvent) => {
    events.push(event);
    for (const wake of waiters) wake();
  };
  const ended = (async () => {
    if (!response.ok || !response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) push({ event: 'comment', data: line.slice(1).trim() });
            else {
              const colon = line.indexOf(':');
              fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
            }
          }
          if (fields.data !== undefined || fields.event !== undefined) {
            push({ id: fields.id, event: fields.event ?? 'message', data: fields.data ?? '' });
          }
        }
      }
    } catch {
      // Aborted by close(), or the connection was cut: the stream has ended either way.
    }
  })();
  let read = 0;
  return {
    status: response.status,
    headers: response.headers,
    events,
    ended,
    next(match, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          while (read < events.length) {
            const event = events[read]!;
            read += 1;
            if (match(event)) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(event);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms: ${JSON.stringify(events)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => abort.abort(),
  };
}
