import type { FastifyRequest } from 'fastify';
import type { ListRecord } from '../repositories/list-repository.ts';
import type { TodoRecord } from '../repositories/todo-repository.ts';
import type { List } from '../schemas/list.ts';
import type { Todo } from '../schemas/todo.ts';

/**
 * The origin the client used: behind the load balancer, from X-Forwarded-Proto and
 * X-Forwarded-Host (Fastify reads them because `trustProxy` is set).
 */
export function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export function listUrl(origin: string, listId: string): string {
  return `${origin}/api/lists/${listId}`;
}

export function toList(origin: string, list: ListRecord): List {
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

export function toTodo(origin: string, todo: TodoRecord): Todo {
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
