// The API's todo-list collection (Todo-Backend compatible), as the app uses it. Every call
// can fail: an ApiError says whether repeating the same request may succeed.

/** A todo as the API answers it. */
export interface ServerTodo {
  readonly id: string;
  readonly title: string;
  readonly completed: boolean;
  readonly order: number;
}

export interface ServerList {
  readonly id: string;
  readonly title: string;
}

export class ApiError extends Error {
  /** HTTP status, or 0 when no answer came (network failure, timeout). */
  readonly status: number;
  /** True when the same request may succeed later (no answer, 5xx, 408, 429). */
  readonly retryable: boolean;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.retryable = status === 0 || status === 408 || status === 429 || status >= 500;
  }
}

/** This page, for the API's change events: a page skips the events of its own changes. */
export const CLIENT_ID = newIdempotencyKey();

/** An opaque key for `Idempotency-Key`; works in insecure contexts too (no randomUUID). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface ApiClientOptions {
  /** Origin of the API; '' (same origin) in the browser. */
  readonly baseUrl?: string;
  /** Gives up on a request after this many milliseconds. Default 15 000. */
  readonly timeoutMs?: number;
  /** The fetch to use (tests wrap it to hold or fail requests). */
  readonly fetch?: typeof fetch;
}

export class ApiClient {
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: ApiClientOptions = {}) {
    this.#baseUrl = options.baseUrl ?? '';
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async #request<T>(method: string, path: string, body?: unknown, key?: string): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (key !== undefined) headers['idempotency-key'] = key;
    if (method !== 'GET') headers['x-client-id'] = CLIENT_ID;
    let response: Response;
    try {
      response = await this.#fetch(`${this.#baseUrl}/api${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new ApiError(0, error instanceof Error ? error.message : String(error));
    }
    if (!response.ok) {
      let detail = response.statusText;
      try {
        const problem = (await response.json()) as { title?: unknown; detail?: unknown };
        if (typeof problem.detail === 'string') detail = problem.detail;
        else if (typeof problem.title === 'string') detail = problem.title;
      } catch {
        // Not problem+json (a proxy's error page): the status line says enough.
      }
      throw new ApiError(response.status, detail);
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  createList(key: string, title = ''): Promise<ServerList> {
    return this.#request('POST', '/lists', { title }, key);
  }

  renameList(listId: string, title: string): Promise<ServerList> {
    return this.#request('PATCH', `/lists/${encodeURIComponent(listId)}`, { title });
  }

  getList(listId: string): Promise<ServerList> {
    return this.#request('GET', `/lists/${encodeURIComponent(listId)}`);
  }

  listTodos(listId: string): Promise<ServerTodo[]> {
    return this.#request('GET', `/lists/${encodeURIComponent(listId)}/todos`);
  }

  createTodo(listId: string, title: string, key: string): Promise<ServerTodo> {
    return this.#request('POST', `/lists/${encodeURIComponent(listId)}/todos`, { title }, key);
  }

  updateTodo(
    listId: string,
    todoId: string,
    patch: { title?: string; completed?: boolean },
  ): Promise<ServerTodo> {
    return this.#request(
      'PATCH',
      `/lists/${encodeURIComponent(listId)}/todos/${encodeURIComponent(todoId)}`,
      patch,
    );
  }

  async deleteTodo(listId: string, todoId: string): Promise<void> {
    await this.#request(
      'DELETE',
      `/lists/${encodeURIComponent(listId)}/todos/${encodeURIComponent(todoId)}`,
    );
  }

  /** One request for "mark all as complete": answers the whole list. */
  toggleAll(listId: string, completed: boolean): Promise<ServerTodo[]> {
    return this.#request('PATCH', `/lists/${encodeURIComponent(listId)}/todos`, { completed });
  }

  /** One request for "clear completed". */
  async clearCompleted(listId: string): Promise<void> {
    await this.#request('DELETE', `/lists/${encodeURIComponent(listId)}/todos?completed=true`);
  }
}
