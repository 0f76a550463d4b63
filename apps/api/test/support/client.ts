import type { FastifyInstance } from 'fastify';
import type { List } from '../../src/schemas/list.ts';
import type { Problem } from '../../src/schemas/problem.ts';
import type { Todo } from '../../src/schemas/todo.ts';

/** What an answer's body may be; tests name the exact type where it matters. */
export type Body = Todo & List & Problem;

export interface Answer<T = Body> {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: T;
  readonly text: string;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT' | 'HEAD' | 'OPTIONS';

/** Sends one request through `app.inject()`; a JSON body is sent as application/json. */
export async function call<T = Body>(
  app: FastifyInstance,
  method: Method,
  url: string,
  options: { json?: unknown; payload?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let payload = options.payload;
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    payload = JSON.stringify(options.json);
  }
  const response = await app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload }),
  });
  const isJson = /json/.test(String(response.headers['content-type'] ?? ''));
  return {
    status: response.statusCode,
    headers: response.headers,
    body: (isJson && response.body !== '' ? JSON.parse(response.body) : undefined) as T,
    text: response.body,
  };
}

/** A new list; answers its id and the path of its todos. */
export async function createList(app: FastifyInstance): Promise<{ id: string; todos: string }> {
  const answer = await call<{ id: string }>(app, 'POST', '/api/lists');
  if (answer.status !== 201)
    throw new Error(`could not create a list: ${answer.status} ${answer.text}`);
  return { id: answer.body.id, todos: `/api/lists/${answer.body.id}/todos` };
}
