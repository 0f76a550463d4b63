import type { FastifyRequest } from 'fastify';
import { ProblemError } from '../problems.ts';
import type { ListRecord } from '../repositories/list-repository.ts';
import type { TodoRecord } from '../repositories/todo-repository.ts';
import type { List } from '../schemas/list.ts';
import type { Todo } from '../schemas/todo.ts';

/** How a route finds the origin (scheme, host, port) to put in the URLs it answers. */
export type OriginOf = (request: FastifyRequest) => string;

/** A Host (or X-Forwarded-Host): a DNS name or IP literal and an optional port, nothing else. */
const HOST = /^(?:[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:.]{2,45}\])(?::\d{1,5})?$/i;

/**
 * The origin the client used. With `PUBLIC_BASE_URL`, that; otherwise the request's scheme
 * and host — from X-Forwarded-Proto and X-Forwarded-Host only when the peer is a trusted
 * proxy (`TRUST_PROXY_HOPS`), as Fastify's `request.protocol` and `request.host` decide.
 * The scheme is only ever `http` or `https`, and a host that is not a host name is refused:
 * a client cannot make the API hand out `javascript:` or `https://evil/…` URLs.
 */
export function createOriginOf(publicBaseUrl: string | undefined): OriginOf {
  if (publicBaseUrl !== undefined) return () => publicBaseUrl;
  return (request) => {
    const scheme = request.protocol === 'https' ? 'https' : 'http';
    const host = request.host;
    if (!HOST.test(host)) {
      throw new ProblemError('badRequest', 'The Host header is not a host name (and port).');
    }
    return `${scheme}://${host}`;
  };
}

export function listUrl(origin: string, listId: string): string {
  return `${origin}/api/lists/${listId}`;
}

/** The JSON representation of a list, with its absolute URLs. */
export function listRepresentation(origin: string, list: ListRecord): List {
  const url = listUrl(origin, list.id);
  return {
    id: list.id,
    title: list.title,
    url,
    todosUrl: `${url}/todos`,
    createdAt: list.createdAt.toISOString(),
    updatedAt: list.updatedAt.toISOString(),
  };
}

/** The JSON representation of a todo, with its absolute URL. */
export function todoRepresentation(origin: string, todo: TodoRecord): Todo {
  return {
    id: todo.id,
    title: todo.title,
    completed: todo.completed,
    order: todo.order,
    url: `${listUrl(origin, todo.listId)}/todos/${todo.id}`,
    createdAt: todo.createdAt.toISOString(),
    updatedAt: todo.updatedAt.toISOString(),
  };
}
